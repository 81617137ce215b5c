"""Oscar's basket, with its lines loaded with what every basket page and summary reads of them.

Oscar counts the lines with a COUNT before loading them (``is_empty``, asked before the
offers are applied, which load them anyway), and reads each product's class with a query of
its own when the shipping methods ask whether the basket needs shipping. Here the count is
the loaded lines' and the classes come with the lines.
"""

from oscar.apps.basket.abstract_models import AbstractBasket


class Basket(AbstractBasket):
    def all_lines(self):
        already_built = self._lines is not None
        lines = super().all_lines()
        if self.id is not None and not already_built:
            lines = self._lines = lines.select_related(
                "product__product_class", "product__parent__product_class"
            )
        return lines

    @property
    def num_lines(self):
        return len(self.all_lines())


from oscar.apps.basket.models import *  # noqa: E402, F403  (Oscar fork pattern)
