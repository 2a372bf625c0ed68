"""码上办 — QR codes posted at grids, buildings and (later) points of interest: a resident scans one
and reports a problem with the place already filled in."""
