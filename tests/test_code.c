/* Ranging codes vs the ICD test vectors in shared/icd/signals.md Tables S1-S4
 * (first/last 24 chips of every PRN, all 100 chips of the B2a pilot secondary
 * codes), plus correlation properties and argument checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdsrx/code.h"
#include "testutil.h"

typedef struct {
    uint32_t first24, last24;
} test_vec_t;

/* first24 / last24 in octal, chip 0 = MSB (signals.md §4), PRN 1..63 in order */
static const test_vec_t vec_b1cd[63] = {
    {053773116, 042711657}, {032235341, 017306122}, {017633713, 001145221},
    {041551514, 005307430}, {017205134, 046341377}, {004254545, 060604443},
    {070663435, 050500234}, {016701045, 027476454}, {032132263, 070555612},
    {025432015, 043004057}, {031711760, 007100551}, {025604267, 015703521},
    {065705054, 012615632}, {024700370, 014267226}, {072405456, 025330122},
    {002621063, 015741134}, {000506754, 062665617}, {044317266, 007251312},
    {014463723, 026526763}, {070234110, 033737311}, {062002462, 034564677},
    {052312612, 030142557}, {034500023, 052015335}, {077312776, 056550366},
    {003712305, 004531416}, {002501573, 000717773}, {066632544, 065070030},
    {000447425, 065742570}, {050643132, 047674377}, {075652754, 045534064},
    {040610704, 003636755}, {060523643, 052040645}, {030522043, 036645510},
    {006337743, 054551553}, {041375664, 026065254}, {020200053, 003373656},
    {022017103, 015754234}, {067327102, 036032344}, {007154144, 000456573},
    {045367715, 020772116}, {046775773, 004657766}, {037123271, 011652043},
    {034054132, 063673657}, {036632600, 006140620}, {043776172, 042103455},
    {013675272, 071143561}, {053755564, 007122624}, {060621674, 032065524},
    {022415634, 047205733}, {037363473, 071732000}, {077262176, 011057010},
    {057132462, 060447016}, {013314107, 077551540}, {054474504, 054256322},
    {076023074, 061777241}, {060652454, 037175533}, {031371623, 000254400},
    {052134040, 051277171}, {041013755, 057767521}, {020323763, 060063316},
    {052445270, 012771226}, {050735662, 051142373}, {027571255, 047160627},
};
static const test_vec_t vec_b1cp[63] = {
    {071676756, 013053205}, {060334021, 046604773}, {024562714, 060007065},
    {061011650, 023616424}, {067337730, 066243127}, {023762642, 033630334},
    {025365366, 043456307}, {057226722, 076521063}, {072643175, 052465264},
    {000236125, 076142064}, {012071371, 060232627}, {061136116, 005607727},
    {036261215, 077737367}, {013607013, 016031533}, {031010541, 055416670},
    {073163062, 033076260}, {030250537, 073355574}, {056226421, 042437243},
    {026205736, 066470710}, {002450570, 054366756}, {066511327, 023666556},
    {006323465, 074622250}, {010633350, 016402734}, {010544206, 054230354},
    {043714115, 037167223}, {055641056, 056136734}, {026572456, 062211315},
    {075123401, 040615033}, {070041254, 063213062}, {053034467, 003066540},
    {050733517, 030062510}, {073077145, 034360276}, {055454316, 045431517},
    {037137206, 047647044}, {045724432, 033773217}, {055560467, 077620561},
    {013467065, 017327352}, {024245150, 062223375}, {022265044, 067665257},
    {010003471, 027515010}, {036537736, 037705710}, {057706617, 076736116},
    {076411007, 077202566}, {061643153, 025334277}, {050125760, 070220333},
    {066657234, 022376763}, {001350500, 031043217}, {043621551, 020166102},
    {042435620, 016423062}, {074327566, 031245527}, {044553226, 037160613},
    {052231514, 003414402}, {046576047, 004003162}, {046312270, 054703562},
    {004717127, 025225202}, {050407031, 031643432}, {010044104, 027063234},
    {036610123, 040756155}, {073470741, 024774305}, {024072445, 051507057},
    {007765425, 012225744}, {032242545, 062104320}, {003210227, 056250500},
};
static const test_vec_t vec_b1cs[63] = {
    {027516364, 067377026}, {056523173, 022276405}, {013575116, 064256064},
    {046450720, 022541050}, {012131561, 065326055}, {017464233, 072132153},
    {065053061, 004514276}, {071707375, 063530655}, {034213032, 035460510},
    {046160454, 071144703}, {042153002, 045741561}, {023004216, 034642255},
    {075723150, 024051066}, {031622150, 002232734}, {077044051, 016722614},
    {057236013, 004521371}, {063564466, 062033045}, {070454263, 021634063},
    {014276724, 064030307}, {034631517, 036355573}, {066647441, 022662277},
    {056655305, 007135537}, {044120321, 013737416}, {001401156, 077676406},
    {071446113, 033352240}, {065511011, 024006552}, {023206551, 020557017},
    {077770161, 014726030}, {074540673, 017203546}, {071611373, 023731232},
    {037057206, 037773355}, {023025164, 041547173}, {041327640, 070714166},
    {061120023, 046232706}, {006234040, 037305130}, {074425523, 000744320},
    {030506176, 007273204}, {042154245, 043674256}, {011240471, 071100451},
    {032430440, 002111760}, {045423343, 017414124}, {004254573, 055250612},
    {000100444, 043330066}, {010223615, 050630424}, {047340430, 006777411},
    {065721741, 051654600}, {056006024, 065061571}, {042262216, 027652771},
    {002226642, 074310663}, {030472126, 075564321}, {044032145, 072312644},
    {054551571, 006432203}, {040710042, 074277066}, {001560736, 051754340},
    {011725354, 054647123}, {047676432, 011456125}, {025530310, 066634346},
    {034717545, 061553336}, {051512234, 040357216}, {001645770, 063375367},
    {005363453, 073263151}, {076720135, 037304627}, {024724407, 027051216},
};
static const test_vec_t vec_b2ad[63] = {
    {026771056, 042646672}, {064771737, 043261240}, {022570544, 022122147},
    {003270060, 037130044}, {025270173, 062604441}, {042473731, 032223757},
    {042073211, 075444074}, {010070275, 072155517}, {032630236, 023340625},
    {051032336, 070730557}, {024751346, 012470110}, {067350347, 043367447},
    {025350426, 042740075}, {011351730, 026275034}, {061353105, 077007136},
    {016553042, 021516371}, {004152767, 057170016}, {037653046, 073363551},
    {040653671, 001726764}, {012450445, 065504556}, {034450556, 030230153},
    {015311110, 006600771}, {056310431, 010770505}, {071511012, 076447734},
    {044511144, 005425133}, {054112361, 044374741}, {000112147, 077505753},
    {055611514, 030732736}, {060611442, 043750131}, {036413134, 024525367},
    {073011377, 041152341}, {065011630, 073304761}, {012011007, 001741554},
    {014012245, 035421025}, {035360637, 050337664}, {065561423, 044445660},
    {004561753, 004256075}, {035662052, 050515704}, {031663710, 053542760},
    {012463151, 071045216}, {034463042, 024771613}, {055063612, 023705725},
    {025322050, 075623014}, {064321071, 054464775}, {013121416, 045712211},
    {005223044, 053232723}, {064742223, 057720500}, {017543106, 045401000},
    {013542644, 046456064}, {016542346, 052156646}, {072542534, 006245671},
    {010643011, 042540225}, {005440046, 033645207}, {073302166, 016264764},
    {065502351, 000166336}, {031502177, 033717324}, {051103567, 023234454},
    {070101476, 055337366}, {000103243, 004145264}, {024403035, 066364214},
    {057754771, 016642116}, {024021305, 046402740}, {055037136, 006147764},
};
static const test_vec_t vec_b2ap[63] = {
    {026772435, 005133452}, {064771100, 032506731}, {022573033, 046030461},
    {003272567, 046247217}, {025270312, 025242712}, {042471450, 030604612},
    {042073477, 046162133}, {010071171, 001037517}, {032631672, 070661477},
    {051030525, 011057614}, {024752054, 060410454}, {067350376, 057214270},
    {025353643, 060621113}, {011350203, 005270220}, {061350565, 055150062},
    {016550214, 030076625}, {004153006, 040344732}, {037653767, 046567772},
    {040650022, 062054544}, {012453537, 012272230}, {034451342, 071277735},
    {015311341, 056036234}, {056311044, 017154331}, {071513035, 043013023},
    {044513245, 050115176}, {054110251, 056313110}, {000112144, 013102726},
    {055613763, 037225071}, {060613513, 024323124}, {036410413, 020375533},
    {073012122, 015635105}, {065013702, 067011450}, {012010047, 043522666},
    {014010654, 041666474}, {035362324, 006151354}, {065563410, 076525270},
    {004561575, 020632513}, {035663035, 026643303}, {031663420, 052433060},
    {012463063, 004062730}, {034461616, 067067235}, {055061754, 047416277},
    {025322640, 051407764}, {064322743, 066451710}, {013120015, 075211676},
    {005223510, 066732705}, {064741454, 024716231}, {017543717, 043326034},
    {013543302, 037156357}, {016540127, 035671252}, {072541267, 061241434},
    {010642411, 056632466}, {005441614, 013706174}, {073300134, 071335154},
    {065502720, 042104070}, {031500435, 007315646}, {051103347, 051233462},
    {070102511, 046425113}, {000102277, 016705351}, {024401515, 023126772},
    {047551324, 077540116}, {070057625, 031062540}, {025236023, 001076040},
};
static const test_vec_t vec_b2as[63] = {
    {032063050, 065322167}, {051032554, 016507723}, {026031355, 003244075},
    {000016672, 051467525}, {043414712, 046604555}, {003313653, 056202042},
    {041103653, 071007450}, {042370454, 034256747}, {006231051, 040430077},
    {037047570, 006442617}, {036242432, 016314440}, {062600563, 005321123},
    {077411542, 056573352}, {041654772, 055730776}, {063255352, 001324146},
    {016034451, 017500531}, {056753432, 066634453}, {062660722, 037240150},
    {011300714, 032673101}, {046564670, 076643076}, {051453710, 041236437},
    {075520773, 047126073}, {055105576, 024605443}, {031050323, 007347067},
    {076030274, 041470462}, {061576715, 007552423}, {021353627, 015306360},
    {011326621, 043507041}, {077304426, 012537651}, {026565352, 032362347},
    {034135261, 014550406}, {030407566, 060014143}, {052113374, 061116102},
    {054145235, 020702236}, {063100104, 023455231}, {035317452, 017352571},
    {010714032, 007417741}, {043602423, 047415564}, {013700511, 036550046},
    {067442654, 041615230}, {042621301, 070270411}, {025413532, 073527103},
    {073475715, 020344205}, {060600610, 033470052}, {022362271, 073213175},
    {073341370, 021175624}, {076412463, 071174640}, {010475522, 077336306},
    {031662361, 052645772}, {072164341, 010166636}, {003600703, 062442252},
    {012734207, 047205776}, {066744236, 067053707}, {066354613, 012103375},
    {042710457, 001304276}, {072744364, 062223707}, {076720625, 003111453},
    {046643276, 034250037}, {053525215, 071514224}, {042453402, 036620001},
    {026604754, 070502406}, {035027021, 007344636}, {012073317, 030264212},
};

/* all 100 chips of the B2a pilot secondary codes in hex, first chip = MSB (signals.md Table S4) */
static const char *const hex_b2as[63] = {
    "6866289F0DDF5F205EDD5A477",
    "A4356C20C76AB1A44233A8FD3",
    "5832ED2470323C571610D483D",
    "001DBAC46C7E6CAF086A66F55",
    "8E19CAFC99288B857419B096D",
    "0D97ABDC9DE223F9A04B90422",
    "8487ABF6C479F763434E40F28",
    "89F12CA47CE92FFCE44715DE7",
    "193229410D75AE6179C82303F",
    "7C4F78BE23D9491E8161A458F",
    "79451A997DD496DA176399920",
    "CB0173E79C192C0325415A253",
    "FE13624229C759D249ABAF6EA",
    "8759FA28A273E784B13B7B1FE",
    "CD5AEA5D7C0544FB79305A866",
    "383929D28773A83AFAE3E8159",
    "BBD71AFCA49C833D3A8DB392B",
    "CB61D2D98E66895E3BF7D4068",
    "2581CC739E5A84F8E046B7641",
    "9AE9B81DEDD901497CFFB463E",
    "A657C811305B10801A3853D1F",
    "F6A1FB7D9B80A88A9B19CAC3B",
    "B48B7ED17860CC59FE5530B23",
    "6450D35C7B4BD6B41BA1DCE37",
    "F830BC6B212DF05E4CA867132",
    "C6FDCD45F2145B049A61ED513",
    "45D797650727B6CE50A358CF0",
    "25AD9106987EA9ACBDD8E8E21",
    "FD8916DFA675298F05A2ABFA9",
    "5AEAEA66C405E850F5969E4E7",
    "70BAB1F42C578FDA40832D106",
    "620F76FCCEA539B8B07C01863",
    "A896FC73D9079661F99C49C42",
    "B0CA9D6F206B51325F743849E",
    "CC80440930361EA3F834E5A99",
    "759F2A4B99D1EED70D23DD579",
    "23981A0A23796792F2A1E1FE1",
    "8F0513C8768454F5CF69E1B74",
    "2F8149A7E67E19279977AD026",
    "DE45AC1B44902E7CC96871A98",
    "8B22C12EA23E6128850E17109",
    "56175AE9F72E148C801EEAE43",
    "EE7BCD044DFC271BEDB41C885",
    "C3018803B874075D2C36E702A",
    "49E4B99F42003837684ED167D",
    "EDC2F8A448A2AE0AFA944FB94",
    "FA1533AB0406AF68F52E4F9A0",
    "227B523305F25583AE2FDBCC6",
    "6764F14437AA48D17BBAB4BFA",
    "E8E8E184AEA4DBB599620ED9E",
    "0F01C3D1720B51CB06ACA44AA",
    "2BB8871E4FCBA1342F29D0BFE",
    "DBC89ED831C43F865D2DC57C7",
    "D9D98B470AEFB3D5B792886FD",
    "8B912F9ADE173B018440588BE",
    "EBC8F41C71233A55910C927C7",
    "FBA195B6A7CD386AA180C932B",
    "9B46BE1996CD7BB213071501F",
    "AEAA8D28794078A17E9E69894",
    "8A57024289419F556717B2001",
    "5B09ECAF3735A604150E28506",
    "742E11C829F27A1D0541DC99E",
    "2876CF2F7129928986A61688A",
};

/* B2b-I primary (Table S5 of signals.md, BDS-SIS-ICD-B2b-1.0 / PPP-B2b-1.0 register-2 states):
 * first24 / last24 in octal, PRN 1..63 */
static const test_vec_t vec_b2bi[63] = {
    {026773275, 001362377}, {064773151, 054270774}, {022571523, 041305112}, {003270234, 026377564},
    {025271603, 071754171}, {042471422, 044530033}, {042071026, 063454537}, {010070621, 052114120},
    {032631660, 015654621}, {051031210, 012615765}, {024752203, 023740542}, {067353533, 007467654},
    {025353617, 052575257}, {011351722, 055226274}, {061351343, 001160270}, {016550441, 050756326},
    {004153547, 027542214}, {037651752, 010640254}, {040652553, 014350465}, {012451253, 057452211},
    {034450664, 000071604}, {015313657, 010263607}, {056312563, 013020015}, {071510447, 047474176},
    {044513562, 016076344}, {054112445, 055540654}, {000111432, 062507667}, {055610115, 063416213},
    {060613030, 032014021}, {036410161, 043533653}, {073013021, 061313161}, {065010372, 003246551},
    {012013173, 007756360}, {014011703, 001251744}, {035360744, 027367153}, {065561461, 077223601},
    {004561533, 011666400}, {035661303, 035322566}, {031661552, 007107560}, {012463623, 046612101},
    {034462214, 011231514}, {055062742, 050710211}, {025323543, 034555532}, {064320656, 003034702},
    {013121550, 075766350}, {005221747, 050550432}, {064741521, 045030464}, {017540076, 001547030},
    {013540627, 033762036}, {016541066, 057616221}, {072540775, 055327237}, {010640752, 016072557},
    {005442537, 064716537}, {073301542, 021130334}, {065500312, 016343063}, {031503365, 021304050},
    {051102623, 036574544}, {070100474, 031701764}, {000100015, 065447760}, {024402044, 014703362},
    {020402615, 026526364}, {027426631, 023410705}, {010625632, 034572376},
};

/* 24 chips (+1 = logic 0) -> 24-bit word, chip 0 = MSB (signals.md §4). */
static uint32_t pack24(const int8_t *c)
{
    uint32_t v = 0;
    for (int i = 0; i < 24; i++)
        v = (v << 1) | (c[i] < 0 ? 1u : 0u);
    return v;
}

static void check_vectors(bx_code_id_t id, const test_vec_t *vec)
{
    int8_t chips[BX_CODE_LEN_MAX];
    const int len = bx_code_length(id);
    int bad = 0;
    for (int prn = 1; prn <= 63; prn++) {
        assert_int_equal(bx_code_gen(id, prn, chips, (int)sizeof chips), len);
        uint32_t f = pack24(chips), l = pack24(chips + len - 24);
        if (f != vec[prn - 1].first24 || l != vec[prn - 1].last24) {
            printf("%s PRN %d: first24 %08o (want %08o) last24 %08o (want %08o)\n", bx_code_name(id), prn, f,
                   vec[prn - 1].first24, l, vec[prn - 1].last24);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

static void test_vectors_b1cd(void **s) { (void)s; check_vectors(BX_CODE_B1CD, vec_b1cd); }
static void test_vectors_b1cp(void **s) { (void)s; check_vectors(BX_CODE_B1CP, vec_b1cp); }
static void test_vectors_b1cs(void **s) { (void)s; check_vectors(BX_CODE_B1CS, vec_b1cs); }
static void test_vectors_b2ad(void **s) { (void)s; check_vectors(BX_CODE_B2AD, vec_b2ad); }
static void test_vectors_b2ap(void **s) { (void)s; check_vectors(BX_CODE_B2AP, vec_b2ap); }
static void test_vectors_b2as(void **s) { (void)s; check_vectors(BX_CODE_B2AS, vec_b2as); }
static void test_vectors_b2bi(void **s) { (void)s; check_vectors(BX_CODE_B2BI, vec_b2bi); }

/* All 100 chips of every B2a pilot secondary code against the hex column of Table S4. */
static void test_b2as_full_hex(void **s)
{
    (void)s;
    int8_t chips[100];
    for (int prn = 1; prn <= 63; prn++) {
        assert_int_equal(bx_code_gen(BX_CODE_B2AS, prn, chips, 100), 100);
        const char *hex = hex_b2as[prn - 1];
        assert_int_equal(strlen(hex), 25);
        for (int n = 0; n < 100; n++) {
            char d[2] = {hex[n / 4], 0};
            int nib = (int)strtol(d, NULL, 16);
            int bit = (nib >> (3 - n % 4)) & 1;
            if ((chips[n] < 0) != bit)
                fail_msg("B2AS PRN %d chip %d: got %d, table bit %d", prn, n, chips[n], bit);
        }
    }
}

static void test_b2a_data_secondary(void **s)
{
    (void)s;
    int8_t c[8];
    const int8_t want[5] = {1, 1, 1, -1, 1}; /* 00010, ICD B2a / signals.md §1 */
    for (int prn = 1; prn <= 63; prn += 31) {
        assert_int_equal(bx_code_gen(BX_CODE_B2ADS, prn, c, 8), 5);
        assert_memory_equal(c, want, 5);
    }
}

/* Periodic correlation sum_i a[i] b[(i+s) mod L], max |.| over shifts from s0. */
static int max_corr(const int8_t *a, const int8_t *b, int len, int s0)
{
    int m = 0;
    for (int sh = s0; sh < len; sh++) {
        int acc = 0, j = sh;
        for (int i = 0; i < len; i++) {
            acc += a[i] * b[j];
            if (++j == len)
                j = 0;
        }
        if (abs(acc) > m)
            m = abs(acc);
    }
    return m;
}

static int dot(const int8_t *a, const int8_t *b, int len)
{
    int acc = 0;
    for (int i = 0; i < len; i++)
        acc += a[i] * b[i];
    return acc;
}

/* Correlation properties.  Bounds: the periodic sidelobes of a good 10230-chip code stay far below
 * the peak (here < 4.5 % of L, ~-27 dB; a repeated or shifted-table error produces a second full peak),
 * cross-correlation likewise; secondary codes are short, so the bounds are looser in relative terms. */
typedef struct {
    bx_code_id_t id;
    int prn_a, prn_b;
    int ac_max, cc_max, bal_max;
} corr_case_t;

static void test_correlation(void **s)
{
    (void)s;
    static const corr_case_t cases[] = {
        {BX_CODE_B1CD, 19, 46, 460, 460, 0},  {BX_CODE_B1CP, 30, 40, 460, 460, 0},
        {BX_CODE_B2AD, 21, 45, 460, 460, 300}, {BX_CODE_B2AP, 22, 61, 460, 460, 300},
        {BX_CODE_B1CS, 1, 63, 140, 220, 80},   {BX_CODE_B2AS, 5, 36, 26, 44, 30},
    };
    static int8_t a[BX_CODE_LEN_MAX], b[BX_CODE_LEN_MAX];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const corr_case_t *c = &cases[k];
        int len = bx_code_length(c->id);
        assert_int_equal(bx_code_gen(c->id, c->prn_a, a, BX_CODE_LEN_MAX), len);
        assert_int_equal(bx_code_gen(c->id, c->prn_b, b, BX_CODE_LEN_MAX), len);
        assert_int_equal(dot(a, a, len), len);
        int ac = max_corr(a, a, len, 1), cc = max_corr(a, b, len, 0);
        printf("%s: autocorr sidelobe %d, cross PRN %d/%d %d (L=%d)\n", bx_code_name(c->id), ac, c->prn_a,
               c->prn_b, cc, len);
        assert_true(ac <= c->ac_max);
        assert_true(cc <= c->cc_max);
    }
    /* zero-lag cross-correlation and balance over all PRN pairs */
    static int8_t all[63][BX_CODE_LEN_MAX];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const corr_case_t *c = &cases[k];
        int len = bx_code_length(c->id), worst = 0;
        for (int p = 0; p < 63; p++) {
            bx_code_gen(c->id, p + 1, all[p], BX_CODE_LEN_MAX);
            int sum = 0;
            for (int i = 0; i < len; i++)
                sum += all[p][i];
            assert_true(abs(sum) <= c->bal_max);
        }
        for (int p = 0; p < 63; p++)
            for (int q = p + 1; q < 63; q++) {
                int d = abs(dot(all[p], all[q], len));
                if (d > worst)
                    worst = d;
            }
        assert_true(worst <= c->cc_max);
        assert_true(worst < len); /* no two PRNs equal */
    }
}

/* Data and pilot codes of one PRN must differ (different tables), and PRNs differ. */
static void test_distinct(void **s)
{
    (void)s;
    static int8_t d[BX_CODE_LEN_MAX], p[BX_CODE_LEN_MAX];
    bx_code_gen(BX_CODE_B1CD, 1, d, BX_CODE_LEN_MAX);
    bx_code_gen(BX_CODE_B1CP, 1, p, BX_CODE_LEN_MAX);
    assert_true(abs(dot(d, p, 10230)) < 500);
    bx_code_gen(BX_CODE_B2AD, 1, d, BX_CODE_LEN_MAX);
    bx_code_gen(BX_CODE_B2AP, 1, p, BX_CODE_LEN_MAX);
    assert_true(abs(dot(d, p, 10230)) < 500);
}

/* Independent ICD-style model of the B2a generators (signals.md §3): stage arrays 1..13, feedback
 * = XOR of the stages named by the polynomial exponents, shift towards 13, output stage 13, register 1
 * reset to all ones after 8190 chips.  Compared chip for chip with bx_code_gen for a few PRNs. */
static void ref_gold(const int *e1, int n1, const int *e2, int n2, const char *init2, int8_t *out)
{
    int r1[14], r2[14];
    for (int i = 1; i <= 13; i++) {
        r1[i] = 1;
        r2[i] = init2[i - 1] - '0'; /* written stage 1 .. stage 13 left to right */
    }
    for (int n = 0; n < 10230; n++) {
        if (n == 8190)
            for (int i = 1; i <= 13; i++)
                r1[i] = 1;
        out[n] = (r1[13] ^ r2[13]) ? -1 : 1;
        int f1 = 0, f2 = 0;
        for (int k = 0; k < n1; k++)
            f1 ^= r1[e1[k]];
        for (int k = 0; k < n2; k++)
            f2 ^= r2[e2[k]];
        for (int i = 13; i > 1; i--) {
            r1[i] = r1[i - 1];
            r2[i] = r2[i - 1];
        }
        r1[1] = f1;
        r2[1] = f2;
    }
}

static void test_gold_reference_model(void **s)
{
    (void)s;
    static int8_t ref[10230], got[10230];
    /* exponents of g1, g2 (without the constant term), signals.md §3 */
    static const int d1[] = {1, 5, 11, 13}, d2[] = {3, 5, 9, 11, 12, 13};
    static const int p1[] = {3, 6, 7, 13}, p2[] = {1, 5, 7, 8, 12, 13};
    /* register-2 initial states from Table S3 as printed (binary, stage 1 first) */
    static const struct { int prn; const char *data, *pilot; } rows[] = {
        {1, "1000000100101", "1000000100101"},
        {33, "1011111101011", "1011111101011"},
        {61, "0010000000010", "1010010000110"},
        {63, "0001111010010", "0001101010101"},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        ref_gold(d1, 4, d2, 6, rows[k].data, ref);
        assert_int_equal(bx_code_gen(BX_CODE_B2AD, rows[k].prn, got, 10230), 10230);
        assert_memory_equal(ref, got, 10230);
        ref_gold(p1, 4, p2, 6, rows[k].pilot, ref);
        assert_int_equal(bx_code_gen(BX_CODE_B2AP, rows[k].prn, got, 10230), 10230);
        assert_memory_equal(ref, got, 10230);
    }
}

static void test_names_and_args(void **s)
{
    (void)s;
    static const char *names[] = {"B1CD", "B1CP", "B1CS", "B2AD", "B2AP", "B2AS", "B2ADS"};
    static const int lens[] = {10230, 10230, 1800, 10230, 10230, 100, 5};
    static const double rates[] = {1.023e6, 1.023e6, 100, 10.23e6, 10.23e6, 1000, 1000};
    for (int i = 0; i < 7; i++) {
        bx_code_id_t id;
        assert_int_equal(bx_code_from_name(names[i], &id), BX_OK);
        assert_int_equal(id, i);
        assert_string_equal(bx_code_name(id), names[i]);
        assert_int_equal(bx_code_length(id), lens[i]);
        assert_true(bx_code_rate_chips_s(id) == rates[i]);
    }
    bx_code_id_t id;
    assert_int_equal(bx_code_from_name("b2ap", &id), BX_OK);
    assert_int_equal(id, BX_CODE_B2AP);
    assert_int_equal(bx_code_from_name("L1CA", &id), BX_ERR_ARG);
    assert_int_equal(bx_code_from_name(NULL, &id), BX_ERR_ARG);
    int8_t c[BX_CODE_LEN_MAX];
    assert_int_equal(bx_code_gen(BX_CODE_B1CD, 0, c, BX_CODE_LEN_MAX), BX_ERR_ARG);
    assert_int_equal(bx_code_gen(BX_CODE_B1CD, 64, c, BX_CODE_LEN_MAX), BX_ERR_ARG);
    assert_int_equal(bx_code_gen(BX_CODE_B1CD, 1, c, 10229), BX_ERR_ARG);
    assert_int_equal(bx_code_gen(BX_CODE_B1CD, 1, NULL, 10230), BX_ERR_ARG);
    assert_int_equal(bx_code_gen((bx_code_id_t)99, 1, c, BX_CODE_LEN_MAX), BX_ERR_ARG);
    assert_int_equal(bx_code_length((bx_code_id_t)99), BX_ERR_ARG);
    assert_string_equal(bx_code_name((bx_code_id_t)-1), "?");
    assert_int_equal(bx_code_weil(10242, 1, 1, 100, c), BX_ERR_ARG); /* not prime */
    assert_int_equal(bx_code_gold13(0x1105, 0x0517, 0, 100, c), BX_ERR_ARG); /* dead register */
}

/* ---- bdsrx code (src/cli/cli_code.c), through the built binary ---- */

/* bdsrx code ARGS (words separated by single spaces); stdout and stderr in out; exit status,
 * -1000 when bin/bdsrx is not built */
static int run_cli(const char *args, char *out, size_t outlen)
{
    char bin[512], words[256];
    if (!tu_bin(bin, sizeof bin, "bdsrx"))
        return -1000;
    const char *argv[16] = {bin, "code"};
    int n = 2;
    snprintf(words, sizeof words, "%s", args);
    for (char *t = strtok(words, " "); t && n < 15; t = strtok(NULL, " "))
        argv[n++] = t;
    argv[n] = NULL;
    tu_opts_t o = {.merge_err = 1};
    tu_result_t r;
    int st = tu_run(&r, argv, &o);
    snprintf(out, outlen, "%s", r.out);
    tu_result_free(&r);
    return st;
}

static void test_cli_code(void **s)
{
    (void)s;
    static char out[32768];
    int rc = run_cli("--signal B1CP --prn 1 --octal", out, sizeof out);
    if (rc == -1000) {
        printf("SKIP: bin/bdsrx not built; skipping the code CLI test\n");
        skip();
    }
    assert_int_equal(rc, 0);
    char first[9];
    memcpy(first, out, 8);
    first[8] = 0;
    assert_string_equal(first, "71676756"); /* Table S1 PRN 1 pilot first24 */
    size_t digits = 0;
    for (const char *c = out; *c; c++)
        digits += *c >= '0' && *c <= '7';
    assert_int_equal(digits, 3410); /* 10230 chips / 3 */
    assert_int_equal(run_cli("--signal b2ads --prn 5", out, sizeof out), 0);
    assert_string_equal(out, "00010\n");
    /* binary text: 10230 chips, 64 per line, agreeing with bx_code_gen */
    assert_int_equal(run_cli("--signal B2AD --prn 63", out, sizeof out), 0);
    static int8_t chips[10230];
    bx_code_gen(BX_CODE_B2AD, 63, chips, 10230);
    int k = 0, col = 0;
    for (const char *c = out; *c; c++) {
        if (*c == '\n') {
            assert_true(col == 64 || k == 10230);
            col = 0;
            continue;
        }
        assert_true(k < 10230);
        assert_int_equal(*c - '0', chips[k] < 0);
        k++, col++;
    }
    assert_int_equal(k, 10230);
    assert_int_equal(run_cli("--signal L1CA --prn 1", out, sizeof out), 2);
    assert_non_null(strstr(out, "unknown signal"));
    assert_int_equal(run_cli("--signal B1CD --prn 64", out, sizeof out), 2);
    assert_int_equal(run_cli("--signal B1CD", out, sizeof out), 2);
    assert_int_equal(run_cli("--help", out, sizeof out), 0);
    assert_non_null(strstr(out, "usage"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_b1cd),   cmocka_unit_test(test_vectors_b1cp),
        cmocka_unit_test(test_vectors_b1cs),   cmocka_unit_test(test_vectors_b2ad),
        cmocka_unit_test(test_vectors_b2ap),   cmocka_unit_test(test_vectors_b2as), cmocka_unit_test(test_vectors_b2bi),
        cmocka_unit_test(test_b2as_full_hex),  cmocka_unit_test(test_b2a_data_secondary),
        cmocka_unit_test(test_correlation),    cmocka_unit_test(test_distinct),
        cmocka_unit_test(test_gold_reference_model),     cmocka_unit_test(test_names_and_args),  cmocka_unit_test(test_cli_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
