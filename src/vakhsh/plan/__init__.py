"""Investment planning: expansion co-optimised with operation, over years and members.

from vakhsh.plan import plan, PlanSpec
result = plan("toy-cascade", PlanSpec(years=(2030, 2035)))
result.builds            # {candidate: {year: MW}}
result.ranking           # DataFrame sorted by benefit/cost
result.to_folder("runs/plan")   # plan.json, ranking.csv, years/*, report.html
"""

from vakhsh.plan.api import Plan, plan
from vakhsh.plan.cases import Member, PlanSpec, ReservoirStage, default_members

__all__ = ["Plan", "PlanSpec", "Member", "ReservoirStage", "plan", "default_members"]
