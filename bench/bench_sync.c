/* Pilot secondary-code synchronisation: probability of a wrong sync and of a
 * sync at all per search, against the window length m (pilot prompts
 * correlated) and C/N0, for the search the tracker runs (bx_trk_sec_search,
 * dsp/trk_sync.c).  Prompt model: the real part of a phase-locked pilot
 * prompt, A s_k + n with A/sigma = sqrt(2 C_p T / N0), C_p = 3/4 (B1C) or 1/2
 * (B2a) of the total C/N0 (signals.md §1.1/1.2), T = 10 ms / 1 ms; s_k = the
 * PRN's secondary code from a random offset; random Costas sign.  A sync is
 * wrong when the offset or the sign differs from the truth.
 * Usage: bench_sync [trials per cell (default 1000)] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bdsrx/code.h"
#include "trk_impl.h"

static uint64_t rng = 0x243F6A8885A308D3ull;
static double unif(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void) { return sqrt(-2 * log(unif())) * cos(2 * M_PI * unif()); }

int main(int argc, char **argv)
{
    int trials = argc > 1 ? atoi(argv[1]) : 1000;
    static const double cn0s[] = {22, 25, 28, 31, 35};
    for (int b = 0; b < 2; b++) {
        const int b1c = b == 0;
        const int L = b1c ? 1800 : 100;
        static const int ms_b1c[] = {50, 75, 100, 150, 200, 300}, ms_b2a[] = {25, 50, 75, 100, 150, 200};
        const int *ms = b1c ? ms_b1c : ms_b2a;
        const double T = b1c ? 0.010 : 0.001, share = b1c ? 0.75 : 0.5;
        printf("%s: secondary code %d chips, %d searches per cell: wrong sync / sync per search\n",
               b1c ? "B1C" : "B2a", L, trials);
        printf("  m      ");
        for (int c = 0; c < 5; c++)
            printf("   %2.0f dB-Hz        ", cn0s[c]);
        printf("\n");
        for (int mi = 0; mi < 6; mi++) {
            const int m = ms[mi];
            printf("  %-4d  ", m);
            for (int c = 0; c < 5; c++) {
                int8_t sec[1800];
                float buf[2048];
                int wrong = 0, ok = 0;
                const double a = sqrt(2.0 * share * pow(10.0, cn0s[c] / 10.0) * T);
                for (int k = 0; k < trials; k++) {
                    const int prn = 19 + k % 27;
                    bx_code_gen(b1c ? BX_CODE_B1CS : BX_CODE_B2AS, prn, sec, 1800);
                    const int off = (int)(unif() * L) % L, sgn = unif() < 0.5 ? -1 : 1;
                    for (int i = 0; i < m; i++)
                        buf[i] = (float)(sgn * a * sec[(off + i) % L] + gauss());
                    int o, neg;
                    if (bx_trk_sec_search(buf, m, sec, L, &o, &neg)) {
                        ok++;
                        wrong += o != off || neg != (sgn < 0);
                    }
                }
                printf(" %5d / %5d     ", wrong, ok);
            }
            printf("\n");
        }
        /* noise only: every accepted search is a false sync */
        int fa = 0, n0 = trials * 20, m = b1c ? 100 : 200;
        int8_t sec[1800];
        float buf[2048];
        bx_code_gen(b1c ? BX_CODE_B1CS : BX_CODE_B2AS, 30, sec, 1800);
        for (int k = 0; k < n0; k++) {
            for (int i = 0; i < m; i++)
                buf[i] = (float)gauss();
            int o, neg;
            fa += bx_trk_sec_search(buf, m, sec, L, &o, &neg);
        }
        printf("  noise only, m = %d: %d syncs in %d searches\n", m, fa, n0);
    }
    return 0;
}
