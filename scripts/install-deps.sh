#!/usr/bin/env bash
# Installs what building and testing scraper needs on Debian: the C libraries' -dev packages,
# redis-server, kcat, prometheus-pushgateway (metrics push tests), systemd (systemd-analyze, the deploy
# tests), zsh, fish and man-db (the tools that read our completion scripts and man page check them), strace
# (the local store's fsync order is read from the system calls); from
# PyPI moto's S3 server and the Python oracles of the compatibility tests (redis-py, botocore,
# confluent-kafka). Safe to rerun; installs only what is missing.
set -euo pipefail

apt_packages=(pkg-config libcurl4-openssl-dev zlib1g-dev libhiredis-dev librdkafka-dev libyaml-dev
              libsqlite3-dev redis-server kcat prometheus-pushgateway prometheus systemd zsh fish man-db strace)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v moto_server >/dev/null 2>&1 || ! python3 -c 'import flask, flask_cors' >/dev/null 2>&1; then
  echo "installing: moto[server]"
  python3 -m pip install --quiet 'moto[server]'
fi

# The Python side of the Python-compatibility tests (PythonOracleTests): the Python framework's own clients.
python_missing=()
python3 -c 'import redis' >/dev/null 2>&1 || python_missing+=(redis)
python3 -c 'import botocore.auth' >/dev/null 2>&1 || python_missing+=(botocore)
python3 -c 'import confluent_kafka' >/dev/null 2>&1 || python_missing+=(confluent-kafka)
# docs/analysis.md's DuckDB recipes (AnalysisRecipeTests run them).
python3 -c 'import duckdb' >/dev/null 2>&1 || python_missing+=(duckdb)
if ((${#python_missing[@]})); then
  echo "installing: ${python_missing[*]} (PyPI)"
  python3 -m pip install --quiet "${python_missing[@]}"
fi
