"""``python -m numlir`` runs the command line (demo, sysinfo)."""
from numlir.tools.cli import main

raise SystemExit(main())
