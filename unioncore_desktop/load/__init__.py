"""`unioncore load`: simulated workstations in a hall's mix against one server, to learn how far it carries a hall.

`stage` writes what a run works on (staff logins, books with their lists and requests, members to sign on),
`workstation` is one simulated desk running the app's own actions over its own logged-in `HallConnection`,
`run` drives many of them from a few processes and counts what the database kept, `server` starts a private
server sized for the run, and `report` turns the figures into text and JSON."""
