"""Roundtable's agent tools, defined once for every face that offers them (MCP today;
workspace agents and pilotage later): `registry` holds them, `poker` and `boards` define
them over the services."""
