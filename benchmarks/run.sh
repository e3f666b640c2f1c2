#!/usr/bin/env bash
# Compares futures with its peers: every workload, every library, one run.
#
#   bash benchmarks/run.sh                          # -count=8, a few minutes on 2 cores
#   COUNT=3 COUNT_BURST=1 bash benchmarks/run.sh    # quicker
#
# Prints a benchstat table per workload (a column per library) and the peak
# memory of workload F, and draws benchmarks/chart.svg (each library relative to
# futures). The bursts of workloads H and I run once an op (-benchtime 1x),
# COUNT_BURST times (default 3, about 11 s each), and get tables of their own;
# the chart shows them too. Raw results are left in benchmarks/results.txt.
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-8}
benchstat="go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"

export GOMAXPROCS=${GOMAXPROCS:-2}
go test -run '^$' -bench '^Benchmark[A-G]$' -benchmem -count "$count" -timeout 60m . | tee results.txt
echo
$benchstat -col /lib -row .name results.txt
echo
echo "Workload F: 1,000,000 tasks of a 10 µs sleep on 10,000 workers"
for lib in futures pond-go ants conc-pool errgroup workerpool; do
	go run ./peakmem -lib "$lib" | tee -a results.txt
done
echo
echo "Workloads H and I: a burst of 2,000 requests of 8 backend calls each on a shared pool"
go test -run '^$' -bench '^Benchmark[HI]$' -benchtime 1x -count "${COUNT_BURST:-3}" -timeout 60m . | tee -a results.txt
echo
$benchstat -filter .name:H -col /lib -row .name,/size results.txt
echo
$benchstat -filter .name:I -col /lib -row .name results.txt
echo
go run ./chart -o chart.svg results.txt
echo "Drew benchmarks/chart.svg"
