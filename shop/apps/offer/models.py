from oscar.apps.offer.models import *  # noqa: F401,F403  (Oscar's fork pattern)

# Our proxy conditions and benefits register as models of this app, as Oscar's do.
from shop.apps.offer.benefits import MemberTypeDiscountBenefit  # noqa: E402,F401
from shop.apps.offer.conditions import ActiveMemberCardCondition  # noqa: E402,F401
