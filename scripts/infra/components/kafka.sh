# shellcheck shell=bash
# shellcheck disable=SC2034 # COMPONENT_PID/STATE/LOG are read by up.sh
# Kafka, KRaft single node (broker + controller in one JVM), from Maven Central jars.
# Sourced by up.sh/down.sh after lib.sh.

KAFKA_SRC="$INFRA_SCRIPTS/kafka"
KAFKA_HOME="$INFRA_DIR/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_CONFIG="$KAFKA_HOME/server.properties"
KAFKA_LOG="$LOG_DIR/kafka.log"
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx512m}"

kafka_ready() { node "$INFRA_SCRIPTS/kafka-ready.mjs" "127.0.0.1:$KAFKA_PORT"; }

# Copy the broker's jars out of ~/.m2 once; redo it only when the pom changed.
kafka_fetch_jars() {
  local stamp="$KAFKA_LIBS/.pom-sha256" want
  want=$(files_fingerprint "$KAFKA_SRC/pom.xml")
  if [[ -f $stamp && $(<"$stamp") == "$want" ]]; then
    return 0
  fi
  require_cmd mvn
  log "kafka: fetching broker jars with Maven (first run only; log: $LOG_DIR/kafka-fetch.log)"
  rm -rf "$KAFKA_LIBS"
  if ! mvn -q -B -f "$KAFKA_SRC/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >"$LOG_DIR/kafka-fetch.log" 2>&1; then
    show_log_tail "$LOG_DIR/kafka-fetch.log"
    die "kafka: Maven could not fetch the broker jars"
  fi
  printf '%s\n' "$want" >"$stamp"
}

# Same JVM settings for the storage tool and the server (an array, so that it
# can be handed to setsid, which cannot run a shell function).
# shellcheck disable=SC2206 # KAFKA_HEAP is a list of JVM flags
KAFKA_JAVA=(java $KAFKA_HEAP -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$KAFKA_SRC/log4j2.properties" -cp "$KAFKA_LIBS/*")

kafka_write_config() {
  sed "s|@LOG_DIR@|$KAFKA_DATA|" "$KAFKA_SRC/server.properties.in" >"$KAFKA_CONFIG"
}

# KRaft refuses to start on an unformatted log dir; format it exactly once.
kafka_format_storage() {
  [[ -f $KAFKA_DATA/meta.properties ]] && return 0
  local cluster_id
  mkdir -p "$KAFKA_DATA"
  cluster_id=$("${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOG" | tail -n1)
  [[ -n $cluster_id ]] || {
    show_log_tail "$KAFKA_LOG"
    die "kafka: could not generate a cluster id"
  }
  # --standalone: this node is the whole (dynamic) controller quorum.
  if ! "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format --standalone -t "$cluster_id" \
    -c "$KAFKA_CONFIG" >>"$KAFKA_LOG" 2>&1; then
    show_log_tail "$KAFKA_LOG"
    die "kafka: formatting $KAFKA_DATA failed"
  fi
}

# Downloads only; skipped while running (the JVM has the jars open).
kafka_prepare() {
  require_node_package kafkajs
  recorded_pid kafka >/dev/null && return 0
  require_cmd java
  mkdir -p "$KAFKA_HOME"
  kafka_fetch_jars
}

# Sets COMPONENT_PID / COMPONENT_STATE / COMPONENT_LOG for up.sh.
kafka_launch() {
  COMPONENT_LOG=$KAFKA_LOG
  if COMPONENT_PID=$(recorded_pid kafka); then
    COMPONENT_STATE="already running"
    return 0
  fi
  forget_pid kafka
  require_port_free kafka "$KAFKA_PORT"
  require_port_free kafka "$KAFKA_CONTROLLER_PORT"
  kafka_write_config
  kafka_format_storage
  spawn_detached "$KAFKA_LOG" "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_CONFIG"
  COMPONENT_PID=$SPAWNED_PID
  record_pid kafka "$COMPONENT_PID"
  COMPONENT_STATE="started"
}

kafka_await() {
  wait_until kafka "$COMPONENT_PID" "$KAFKA_LOG" kafka_ready &&
    require_listener kafka "$COMPONENT_PID" "$KAFKA_PORT"
}

kafka_stop() { stop_recorded kafka; }

kafka_purge() { rm -rf "$KAFKA_DATA" "$KAFKA_CONFIG"; }
