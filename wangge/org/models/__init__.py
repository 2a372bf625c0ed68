from .department import Department
from .region import Region
from .staff import RoleAssignment, User
from .token import ApiToken

__all__ = ["ApiToken", "Department", "Region", "RoleAssignment", "User"]
