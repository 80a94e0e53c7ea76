#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for the cluster tests (issue 18).
#   scripts/slurm-local.sh start   # idempotent: starts munged, slurmctld, slurmd; waits until the node is idle
#   scripts/slurm-local.sh stop    # cancels every job, stops the three daemons
#   scripts/slurm-local.sh env     # prints `export SLURM_CONF=...` for a shell
# Everything lives under $NOISYNN_SLURM_DIR (default /tmp/noisynn-slurm): its own munge key and socket and its
# own slurm.conf (passed as SLURM_CONF), so the system's /etc/slurm and /etc/munge are left alone.
# Needs Debian's slurm-wlm and munge (`apt-get install -y slurm-wlm munge`) and root (SlurmUser=root).
set -euo pipefail
DIR="${NOISYNN_SLURM_DIR:-/tmp/noisynn-slurm}"
CONF="$DIR/slurm.conf"
SOCK="$DIR/munge/munge.socket"
export SLURM_CONF="$CONF"

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_conf() {
  local node cpus
  node="$(hostname -s)"
  cpus="$(nproc)"
  mkdir -p "$DIR/munge" "$DIR/ctld" "$DIR/d" "$DIR/log"
  chmod 700 "$DIR/munge"
  if [ ! -s "$DIR/munge/munge.key" ]; then
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$DIR/munge/munge.key"
  fi
  cat >"$CONF.new" <<EOF
ClusterName=noisynn-local
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/d
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MinJobAge=600
SchedulerParameters=sched_interval=2
SlurmctldParameters=enable_configless
MpiDefault=none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1024 State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$CONF.new" "$CONF"
}

start() {
  command -v sbatch >/dev/null || { echo "slurm-local: sbatch not found; apt-get install -y slurm-wlm munge" >&2; exit 1; }
  write_conf
  if ! running "$DIR/munged.pid"; then
    munged --force --socket="$SOCK" --key-file="$DIR/munge/munge.key" --pid-file="$DIR/munged.pid" \
      --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munge.seed"
  fi
  if ! running "$DIR/slurmctld.pid"; then slurmctld -f "$CONF"; fi
  if ! running "$DIR/slurmd.pid"; then slurmd -f "$CONF"; fi
  local node state
  node="$(hostname -s)"
  for _ in $(seq 1 60); do
    state="$(sinfo -h -n "$node" -o %T 2>/dev/null || true)"
    case "$state" in
      idle|mixed|allocated) echo "slurm-local: node $node $state (SLURM_CONF=$CONF)"; return 0 ;;
      down*|drain*) scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 1
  done
  echo "slurm-local: node $node did not become idle (state: ${state:-none}); logs in $DIR/log" >&2
  tail -n 20 "$DIR/log/"*.log >&2 || true
  exit 1
}

stop_daemon() {
  local pidfile="$1" pid
  running "$pidfile" || return 0
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  if running "$DIR/slurmctld.pid"; then scancel --full --quiet --user=root 2>/dev/null || true; sleep 1; fi
  stop_daemon "$DIR/slurmd.pid"
  stop_daemon "$DIR/slurmctld.pid"
  stop_daemon "$DIR/munged.pid"
  echo "slurm-local: stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
