from .department import Department
from .region import Region
from .staff import RoleAssignment, User

__all__ = ["Department", "Region", "RoleAssignment", "User"]
