"""Watch progress: heartbeats merge into a resume point and the union of watched time."""
