"""Reading a batch back: rebuilding it from reveal transactions (extract), and the
self-verifying loader page with what ``enoch serve`` serves it (SPEC T, Extract;
Loader and preview)."""
