"""The audit trail: security events recorded by the services that cause them, the 403
burst detector, and the admins' page with its CSV download (``/admin/audit``)."""
