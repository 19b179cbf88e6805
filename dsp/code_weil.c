/*
 * Weil codes: B1C data/pilot primary, B1C pilot secondary, B2a pilot secondary.
 *
 * ICD B1C §5.2 and ICD B2a §5.2 define these as truncated Weil sequences built
 * from a Legendre sequence of prime length N (signals.md §2):
 *   L(k) = 1 iff k != 0 is a quadratic residue mod N,
 *   W(k; w) = L(k) xor L((k + w) mod N),
 *   c(n) = W((n + p - 1) mod N; w), n = 0..Nc-1.
 * The (w, p) tables below are the ICD values as listed in signals.md Tables S1,
 * S2 and S4 (cross-checked there against two implementations and the ICD
 * appendix test vectors); tests/test_code.c checks every PRN's first/last 24
 * chips against those tables.
 */
#include <stddef.h>
#include <stdint.h>

#include "bdsrx/code.h"
#include "code_impl.h"

typedef struct {
    int16_t w; /* phase difference */
    int16_t p; /* truncation point, 1-based */
} weil_param_t;

/* B1C data primary (w, p) per PRN 1..63: ICD B1C §5.2 / signals.md Table S1 */
static const weil_param_t b1c_data_wp[63] = {
    {2678, 699}, {4802, 694}, {958, 7318}, {859, 2127},  /* PRN 1-4 */
    {3843, 715}, {2232, 6682}, {124, 7850}, {4352, 5495},  /* PRN 5-8 */
    {1816, 1162}, {1126, 7682}, {1860, 6792}, {4800, 9973},  /* PRN 9-12 */
    {2267, 6596}, {424, 2092}, {4192, 19}, {4333, 10151},  /* PRN 13-16 */
    {2656, 6297}, {4148, 5766}, {243, 2359}, {1330, 7136},  /* PRN 17-20 */
    {1593, 1706}, {1470, 2128}, {882, 6827}, {3202, 693},  /* PRN 21-24 */
    {5095, 9729}, {2546, 1620}, {1733, 6805}, {4795, 534},  /* PRN 25-28 */
    {4577, 712}, {1627, 1929}, {3638, 5355}, {2553, 6139},  /* PRN 29-32 */
    {3646, 6339}, {1087, 1470}, {1843, 6867}, {216, 7851},  /* PRN 33-36 */
    {2245, 1162}, {726, 7659}, {1966, 1156}, {670, 2672},  /* PRN 37-40 */
    {4130, 6043}, {53, 2862}, {4830, 180}, {182, 2663},  /* PRN 41-44 */
    {2181, 6940}, {2006, 1645}, {1080, 1582}, {2288, 951},  /* PRN 45-48 */
    {2027, 6878}, {271, 7701}, {915, 1823}, {497, 2391},  /* PRN 49-52 */
    {139, 2606}, {3693, 822}, {2054, 6403}, {4342, 239},  /* PRN 53-56 */
    {3342, 442}, {2592, 6769}, {1007, 2560}, {310, 2502},  /* PRN 57-60 */
    {4203, 5072}, {455, 7268}, {4318, 341},  /* PRN 61-63 */
};

/* B1C pilot primary (w, p): ICD B1C §5.2 / signals.md Table S1 */
static const weil_param_t b1c_pilot_wp[63] = {
    {796, 7575}, {156, 2369}, {4198, 5688}, {3941, 539},  /* PRN 1-4 */
    {1374, 2270}, {1338, 7306}, {1833, 6457}, {2521, 6254},  /* PRN 5-8 */
    {3175, 5644}, {168, 7119}, {2715, 1402}, {4408, 5557},  /* PRN 9-12 */
    {3160, 5764}, {2796, 1073}, {459, 7001}, {3594, 5910},  /* PRN 13-16 */
    {4813, 10060}, {586, 2710}, {1428, 1546}, {2371, 6887},  /* PRN 17-20 */
    {2285, 1883}, {3377, 5613}, {4965, 5062}, {3779, 1038},  /* PRN 21-24 */
    {4547, 10170}, {1646, 6484}, {1430, 1718}, {607, 2535},  /* PRN 25-28 */
    {2118, 1158}, {4709, 526}, {1149, 7331}, {3283, 5844},  /* PRN 29-32 */
    {2473, 6423}, {1006, 6968}, {3670, 1280}, {1817, 1838},  /* PRN 33-36 */
    {771, 1989}, {2173, 6468}, {740, 2091}, {1433, 1581},  /* PRN 37-40 */
    {2458, 1453}, {3459, 6252}, {2155, 7122}, {1205, 7711},  /* PRN 41-44 */
    {413, 7216}, {874, 2113}, {2463, 1095}, {1106, 1628},  /* PRN 45-48 */
    {1590, 1713}, {3873, 6102}, {4026, 6123}, {4272, 6070},  /* PRN 49-52 */
    {3556, 1115}, {128, 8047}, {1200, 6795}, {130, 2575},  /* PRN 53-56 */
    {4494, 53}, {1871, 1729}, {3073, 6388}, {4386, 682},  /* PRN 57-60 */
    {4098, 5565}, {1923, 7160}, {1176, 2277},  /* PRN 61-63 */
};

/* B1C pilot secondary (w, p): ICD B1C §5.2 / signals.md Table S2 */
static const weil_param_t b1c_sec_wp[63] = {
    {269, 1889}, {1448, 1268}, {1028, 1593}, {1324, 1186},  /* PRN 1-4 */
    {822, 1239}, {5, 1930}, {155, 176}, {458, 1696},  /* PRN 5-8 */
    {310, 26}, {959, 1344}, {1238, 1271}, {1180, 1182},  /* PRN 9-12 */
    {1288, 1381}, {334, 1604}, {885, 1333}, {1362, 1185},  /* PRN 13-16 */
    {181, 31}, {1648, 704}, {838, 1190}, {313, 1646},  /* PRN 17-20 */
    {750, 1385}, {225, 113}, {1477, 860}, {309, 1656},  /* PRN 21-24 */
    {108, 1921}, {1457, 1173}, {149, 1928}, {322, 57},  /* PRN 25-28 */
    {271, 150}, {576, 1214}, {1103, 1148}, {450, 1458},  /* PRN 29-32 */
    {399, 1519}, {241, 1635}, {1045, 1257}, {164, 1687},  /* PRN 33-36 */
    {513, 1382}, {687, 1514}, {422, 1}, {303, 1583},  /* PRN 37-40 */
    {324, 1806}, {495, 1664}, {725, 1338}, {780, 1111},  /* PRN 41-44 */
    {367, 1706}, {882, 1543}, {631, 1813}, {37, 228},  /* PRN 45-48 */
    {647, 2871}, {1043, 2884}, {24, 1823}, {120, 75},  /* PRN 49-52 */
    {134, 11}, {136, 63}, {158, 1937}, {214, 22},  /* PRN 53-56 */
    {335, 1768}, {340, 1526}, {661, 1402}, {889, 1445},  /* PRN 57-60 */
    {929, 1680}, {1002, 1290}, {1149, 1245},  /* PRN 61-63 */
};

/* B2a pilot secondary (w, p): ICD B2a §5.2 / signals.md Table S4 */
static const weil_param_t b2a_sec_wp[63] = {
    {123, 138}, {55, 570}, {40, 351}, {139, 77},  /* PRN 1-4 */
    {31, 885}, {175, 247}, {350, 413}, {450, 180},  /* PRN 5-8 */
    {478, 3}, {8, 26}, {73, 17}, {97, 172},  /* PRN 9-12 */
    {213, 30}, {407, 1008}, {476, 646}, {4, 158},  /* PRN 13-16 */
    {15, 170}, {47, 99}, {163, 53}, {280, 179},  /* PRN 17-20 */
    {322, 925}, {353, 114}, {375, 10}, {510, 584},  /* PRN 21-24 */
    {332, 60}, {7, 3}, {13, 684}, {16, 263},  /* PRN 25-28 */
    {18, 545}, {25, 22}, {50, 546}, {81, 190},  /* PRN 29-32 */
    {118, 303}, {127, 234}, {132, 38}, {134, 822},  /* PRN 33-36 */
    {164, 57}, {177, 668}, {208, 697}, {249, 93},  /* PRN 37-40 */
    {276, 18}, {349, 66}, {439, 318}, {477, 133},  /* PRN 41-44 */
    {498, 98}, {88, 70}, {155, 132}, {330, 26},  /* PRN 45-48 */
    {3, 354}, {21, 58}, {84, 41}, {111, 182},  /* PRN 49-52 */
    {128, 944}, {153, 205}, {197, 23}, {199, 1},  /* PRN 53-56 */
    {214, 792}, {256, 641}, {265, 83}, {291, 7},  /* PRN 57-60 */
    {324, 111}, {326, 96}, {340, 92},  /* PRN 61-63 */
};

/* Legendre / Weil lengths and code lengths (ICD B1C §5.2, ICD B2a §5.2; signals.md §2). */
#define N_B1C_PRIMARY 10243
#define N_B1C_SECONDARY 3607
#define N_B2A_SECONDARY 1021
#define N_LEGENDRE_MAX N_B1C_PRIMARY

static int is_prime(int n)
{
    if (n < 3 || n % 2 == 0)
        return n == 2;
    for (int d = 3; d * d <= n; d += 2)
        if (n % d == 0)
            return 0;
    return 1;
}

int bx_code_weil(int n_legendre, int w, int p, int len, int8_t *chips)
{
    if (!chips || n_legendre > N_LEGENDRE_MAX || !is_prime(n_legendre) || len < 1 || len > n_legendre ||
        w < 1 || w >= n_legendre || p < 1 || p > n_legendre)
        return BX_ERR_ARG;
    /* Quadratic residues: the squares x^2 mod N for x = 1..(N-1)/2 are exactly the (N-1)/2 distinct
     * nonzero residues.  A stack table keeps this call allocation-free and re-entrant. */
    uint8_t leg[N_LEGENDRE_MAX];
    for (int k = 0; k < n_legendre; k++)
        leg[k] = 0;
    for (int64_t x = 1; x <= (n_legendre - 1) / 2; x++)
        leg[(x * x) % n_legendre] = 1;
    int k = p - 1;       /* index into W of chip 0 */
    int kw = (k + w) % n_legendre;
    for (int n = 0; n < len; n++) {
        chips[n] = (leg[k] ^ leg[kw]) ? -1 : 1; /* logic 0 -> +1, logic 1 -> -1 (signals.md §1) */
        if (++k == n_legendre)
            k = 0;
        if (++kw == n_legendre)
            kw = 0;
    }
    return len;
}

int bx_code_weil_prn(bx_code_id_t id, int prn, int8_t *chips)
{
    const weil_param_t *wp;
    int n_leg, len;
    switch (id) {
    case BX_CODE_B1CD:
        wp = &b1c_data_wp[prn - 1];
        n_leg = N_B1C_PRIMARY;
        break;
    case BX_CODE_B1CP:
        wp = &b1c_pilot_wp[prn - 1];
        n_leg = N_B1C_PRIMARY;
        break;
    case BX_CODE_B1CS:
        wp = &b1c_sec_wp[prn - 1];
        n_leg = N_B1C_SECONDARY;
        break;
    case BX_CODE_B2AS:
        wp = &b2a_sec_wp[prn - 1];
        n_leg = N_B2A_SECONDARY;
        break;
    default:
        return BX_ERR_ARG;
    }
    len = bx_code_length(id);
    return bx_code_weil(n_leg, wp->w, wp->p, len, chips);
}
