"""Staff administration (admins): the logins, their roles, passwords and recent activity."""
