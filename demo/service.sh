#!/usr/bin/env bash
# A small "service": serves a file over a unix socket and reads its config,
# once a second. Its syscalls are what the demo shows.
set -u
# System paths only: the record should be about the work, not PATH lookups.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
dir=$(mktemp -d /tmp/traceloop-demo-service.XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "greeting=hello from the demo service" > "$dir/config"
while true; do
	read -r line < "$dir/config"
	echo "$(date +%T) $line" >> "$dir/log"
	/usr/bin/python3 - "$dir" <<'PY' 2>/dev/null
import socket, sys, os
path = os.path.join(sys.argv[1], "sock")
srv = socket.socket(socket.AF_UNIX); srv.bind(path); srv.listen(1)
cli = socket.socket(socket.AF_UNIX); cli.connect(path)
conn, _ = srv.accept(); cli.sendall(b"ping"); conn.recv(16); conn.sendall(b"pong"); cli.recv(16)
for s in (cli, conn, srv): s.close()
os.unlink(path)
PY
	sleep 1
done
