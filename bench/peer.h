/* Peer-receiver reference figures for the benchmarks, quoted from issue 2:
 *   "a peer receiver measured on this machine needs ~10 ms per satellite for a 1 ms
 *    10230-chip search at 20.46 Msps and ~0.15 core per tracked 20.46 Msps channel;
 *    aim for 5x better on both".
 * They are the numbers, not measured by these programs (the issue does not say
 * which Doppler grid the peer searched); the benchmarks print bdsrx's own figures next to
 * them as ratios (peer / bdsrx, higher is better, target >= PEER_TARGET_RATIO). */
#ifndef BDSRX_BENCH_PEER_H
#define BDSRX_BENCH_PEER_H

#define PEER_ACQ_B2A_1MS_MS_PER_SAT 10.0 /* ms per satellite, 1 ms 10230-chip search, 20.46 Msps */
#define PEER_TRK_CORE_PER_CH_2046 0.15   /* cores per tracked 20.46 Msps channel */
#define PEER_TARGET_RATIO 5.0

#endif
