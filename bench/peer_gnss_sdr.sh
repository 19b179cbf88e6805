#!/bin/sh
# Optional peer measurement (not run by make bench, not a project dependency): CPU time of
# one GNSS-SDR acquisition search for a 1 ms, 10230-chip code at 20.46 Msps (BeiDou B3I:
# 10.23 Mcps, 10230 chips, 1 ms, the same search size as B2a), +-5 kHz, on a noise-only
# capture, so every search runs to the end and is negative.
# How: GNSS-SDR logs the start ("doing acquisition") and end ("negative acquisition") of each
# search with time stamps and the kernel thread id.  While it runs, the CPU time (utime +
# stime, /proc/PID/task/TID/stat) of every thread is sampled; CPU time of the acquisition
# thread between two samples / searches completed between them = CPU ms per search (the
# thread also passes the samples between searches, so this is an upper bound).  The wall
# time per search (start to end in the log) is shown too; it grows with machine load.
# Tracking (second part): one Galileo E5a channel (10.23 Mcps, 10230 chips, data + pilot like
# B2a) at 20.46 Msps on noise with the lock detectors disabled (cn0_min -1000, carrier lock
# threshold -2, max_lock_fail huge) after a forced positive acquisition (threshold 1e-6), so
# the DLL/PLL and correlators run for the whole capture; the file source is throttled, and
# CPU of the tracking thread (dll_pll_veml_tr) / seconds of signal streamed in the same
# interval = cores per tracked channel.  (The throttle of 0.0.17 counts ibyte items, i.e.
# bytes, so the capture streams at half real time: signal seconds = wall seconds / 2; the
# streaming time is printed as a check, about 2 x the capture length.)
# Needs the Debian package gnss-sdr (apt-get install gnss-sdr); works in a temporary folder.
# Usage: sh bench/peer_gnss_sdr.sh [seconds of capture (default 4)] [doppler steps (default "500 250")]
#        (the tracking part uses a capture of 2.5 x that length; about a minute in all with the defaults)
secs=${1:-4}
steps=${2:-"500 250"}
command -v gnss-sdr >/dev/null 2>&1 || { echo "SKIP: gnss-sdr not installed (apt-get install gnss-sdr)"; exit 0; }
tmp=$(mktemp -d)
[ -n "$KEEP" ] || trap 'rm -rf "$tmp"' EXIT; [ -n "$KEEP" ] && echo "keeping $tmp"
fs=20460000
head -c $((fs * 2 * secs)) /dev/urandom >"$tmp/noise.ci8" # uniform int8 I/Q noise
for step in $steps; do
    mkdir -p "$tmp/log$step"
    cat >"$tmp/acq$step.conf" <<CONF
[GNSS-SDR]
GNSS-SDR.internal_fs_sps=$fs
ControlThread.wait_for_flowgraph=false
SignalSource.implementation=File_Signal_Source
SignalSource.filename=$tmp/noise.ci8
SignalSource.item_type=ibyte
SignalSource.sampling_frequency=$fs
SignalSource.samples=0
SignalSource.repeat=false
SignalSource.enable_throttle_control=false
SignalConditioner.implementation=Signal_Conditioner
DataTypeAdapter.implementation=Ibyte_To_Complex
InputFilter.implementation=Pass_Through
InputFilter.item_type=gr_complex
Resampler.implementation=Pass_Through
Resampler.item_type=gr_complex
Channels_B3.count=1
Channels.in_acquisition=1
Channel.signal=B3
Acquisition_B3.implementation=BEIDOU_B3I_PCPS_Acquisition
Acquisition_B3.item_type=gr_complex
Acquisition_B3.coherent_integration_time_ms=1
Acquisition_B3.max_dwells=1
Acquisition_B3.pfa=0.01
Acquisition_B3.doppler_max=5000
Acquisition_B3.doppler_step=$step
Acquisition_B3.dump=false
Tracking_B3.implementation=BEIDOU_B3I_DLL_PLL_Tracking
Tracking_B3.item_type=gr_complex
TelemetryDecoder_B3.implementation=BEIDOU_B3I_Telemetry_Decoder
Observables.implementation=Hybrid_Observables
PVT.implementation=RTKLIB_PVT
PVT.positioning_mode=Single
PVT.output_rate_ms=100
PVT.display_rate_ms=500
PVT.dump=false
PVT.output_enabled=false
PVT.flag_rtcm_server=false
PVT.flag_rtcm_tty_port=false
CONF
    (cd "$tmp" && exec gnss-sdr --config_file="acq$step.conf" --log_dir="$tmp/log$step" --logbufsecs=0 \
        >/dev/null 2>&1) &
    pid=$!
    : >"$tmp/cpu$step"
    while kill -0 $pid 2>/dev/null; do # "time-of-day tid cpu_ticks" of every thread
        tod=$(date +%H:%M:%S.%N)
        awk -v tod="$tod" '{ n = split(FILENAME, p, "/"); print tod, p[n - 1], $14 + $15 }' \
            /proc/$pid/task/*/stat >>"$tmp/cpu$step" 2>/dev/null
        sleep 0.2
    done
    wait $pid
    awk -v step="$step" -v hz="$(getconf CLK_TCK)" -v ver="$(gnss-sdr --version 2>&1 | tail -1)" '
        function t(s,  a) { split(s, a, ":"); return a[1] * 3600 + a[2] * 60 + a[3] }
        BEGIN { n = 0; m = 0 } # numeric array indexes from the first element on
        FNR == 1 { f++ }
        f == 1 && /doing acquisition of satellite/ { st[$3] = t($2); tid = $3 }
        f == 1 && /(negative|positive) acquisition, satellite/ {
            if ($3 in st) { d[n] = (t($2) - st[$3]) * 1e3; e[n++] = t($2); delete st[$3] } }
        f == 2 && $2 == tid { ts[m] = t($1); tk[m++] = $3 }
        END {
            if (!n) { print "gnss-sdr: no acquisition found in the log (step " step " Hz)"; exit }
            # CPU: from the first sample after the first search began to the last sample
            for (i = 0; i < m && ts[i] < e[0]; i++);
            a = i; b = m - 1; k = 0
            for (j = 0; j < n; j++) if (e[j] > ts[a] && e[j] <= ts[b]) k++
            cpu = (b > a && k > 0) ? (tk[b] - tk[a]) / hz * 1e3 / k : -1
            for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (d[j] < d[i]) { x = d[i]; d[i] = d[j]; d[j] = x }
            printf "SUMMARY peer measured: %s B3I 1 ms search at 20.46 Msps, +-5 kHz step %d Hz (%d cells): %.2f ms CPU per satellite (%d searches); wall median %.2f ms, min %.2f ms\n", ver, step, 2 * int(5000 / step) + 1, cpu, k, d[int(n / 2)], d[0]
        }' "$tmp/log$step/gnss-sdr.INFO" "$tmp/cpu$step"
done
# ---- tracking ----
tsecs=$((secs * 5 / 2))
head -c $((fs * 2 * tsecs)) /dev/urandom >"$tmp/noise.ci8"
cfg="$tmp/trk.conf"
sed -e 's/^SignalSource.enable_throttle_control=.*/SignalSource.enable_throttle_control=true/' \
    -e '/^Channels_B3\|^Channel.signal\|^Acquisition_B3\|^Tracking_B3\|^TelemetryDecoder_B3/d' \
    "$tmp/acq$(echo $steps | cut -d' ' -f1).conf" >"$cfg"
cat >>"$cfg" <<CONF
Channels_5X.count=1
Channel.signal=5X
Channel0.satellite=11
Acquisition_5X.implementation=Galileo_E5a_Pcps_Acquisition
Acquisition_5X.item_type=gr_complex
Acquisition_5X.coherent_integration_time_ms=1
Acquisition_5X.threshold=0.000001
Acquisition_5X.doppler_max=5000
Acquisition_5X.doppler_step=500
Tracking_5X.implementation=Galileo_E5a_DLL_PLL_Tracking
Tracking_5X.item_type=gr_complex
Tracking_5X.cn0_min=-1000
Tracking_5X.carrier_lock_th=-2
Tracking_5X.max_lock_fail=100000000
TelemetryDecoder_5X.implementation=Galileo_E5a_Telemetry_Decoder
CONF
(cd "$tmp" && exec gnss-sdr --config_file="$cfg" --log_dir="$tmp" >"$tmp/trk.out" 2>&1) &
pid=$!
: >"$tmp/tcpu"
while kill -0 $pid 2>/dev/null; do # "unix-time tid (name) cpu_ticks" of every thread
    awk -v now="$(date +%s.%N)" '{ n = split(FILENAME, p, "/"); print now, p[n - 1], $2, $14 + $15 }' \
        /proc/$pid/task/*/stat >>"$tmp/tcpu" 2>/dev/null
    sleep 0.5
done
wait $pid
grep -q "Tracking of Galileo E5aQ signal started" "$tmp/trk.out" || echo "gnss-sdr: E5a tracking did not start"
awk -v hz="$(getconf CLK_TCK)" -v len="$tsecs" -v ver="$(gnss-sdr --version 2>&1 | tail -1)" '
    $3 == "(file_source11)" && !s0 { s0 = $1 }  # streaming starts
    { last = $1 }
    $3 == "(dll_pll_veml_tr)" { n++; t[n] = $1; c[n] = $4 }
    END {
        if (n < 4) { print "gnss-sdr: tracking thread not found"; exit }
        for (a = 1; a < n && t[a] - t[1] < 2; a++); # skip the first 2 s (acquisition, start)
        sig = (t[n] - t[a]) / 2
        printf "SUMMARY peer measured: %s Galileo E5a (pilot+data) tracking at 20.46 Msps: %.3f core per channel (%.2f s CPU of the tracking thread over %.1f s of signal; %.0f s of capture streamed in %.1f s)\n", ver, (c[n] - c[a]) / hz / sig, (c[n] - c[a]) / hz, sig, len, last - s0
    }' "$tmp/tcpu"
echo "load while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
