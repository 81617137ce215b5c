/*
 * Oscar 4.2's order page calls oscar.dashboard.orders.initTable(), which its dashboard.js does not
 * define, so the page's start-up script would stop at an error. This is the behaviour the
 * call stands for: a checkbox in the lines table's empty first heading that selects or clears
 * every line for the line actions below it.
 */
(function (oscar, $, script) {
    // The template gives the checkbox's translated label on the script tag.
    var label = script.dataset.selectAllLabel;
    oscar.dashboard.orders.initTable = function () {
        var $table = $('#order_lines_form table').first();
        var $all = $('<input type="checkbox" class="mr-1" data-behaviours="select-all-lines" />');
        $all.attr({'aria-label': label, title: label});
        $table.find('thead th').first().prepend($all);
        $all.on('change', function () {
            $table.find('tbody input[name="selected_line"]').prop('checked', $all.is(':checked'));
        });
    };
})(window.oscar, window.jQuery, document.currentScript);
