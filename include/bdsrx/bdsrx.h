/*
 * bdsrx — umbrella header: the whole public C API.
 *   #include <bdsrx/bdsrx.h>      cc prog.c $(pkg-config --cflags --libs bdsrx)
 * Conventions (include/README.md): objects have
 *   int  bx_<obj>_create(inputs..., bx_<obj>_t **out, char *err, size_t errlen);
 *   void bx_<obj>_destroy(bx_<obj>_t *obj);   (NULL-safe)
 * (constructors that open a named thing say so: bx_source_open, bx_iq_open, ...); functions
 * return bx_status_t (0 = ok, negative = error, bx_strerror() gives the text); fields of
 * public structs are only appended.  Each header states what may be shared between threads.
 */
#ifndef BDSRX_BDSRX_H
#define BDSRX_BDSRX_H

#include "bdsrx/acq.h"
#include "bdsrx/b2b_eval.h"
#include "bdsrx/bits.h"
#include "bdsrx/code.h"
#include "bdsrx/corr.h"
#include "bdsrx/eph.h"
#include "bdsrx/ephfit.h"
#include "bdsrx/fec.h"
#include "bdsrx/geodesy.h"
#include "bdsrx/geoid.h"
#include "bdsrx/http_status.h"
#include "bdsrx/iono.h"
#include "bdsrx/iq.h"
#include "bdsrx/lambda.h"
#include "bdsrx/live.h"
#include "bdsrx/navframe.h"
#include "bdsrx/navmsg.h"
#include "bdsrx/nmea_tcp.h"
#include "bdsrx/ntrip.h"
#include "bdsrx/orbit.h"
#include "bdsrx/output.h"
#include "bdsrx/pppb2b.h"
#include "bdsrx/pvt.h"
#include "bdsrx/receiver.h"
#include "bdsrx/rinex_nav.h"
#include "bdsrx/rinex_obs.h"
#include "bdsrx/ringbuf.h"
#include "bdsrx/rtcm3.h"
#include "bdsrx/rtk.h"
#include "bdsrx/rtltcp.h"
#include "bdsrx/serial.h"
#include "bdsrx/simb2b.h"
#include "bdsrx/simfeed.h"
#include "bdsrx/simscen.h"
#include "bdsrx/simsig.h"
#include "bdsrx/sink.h"
#include "bdsrx/source.h"
#include "bdsrx/sp3.h"
#include "bdsrx/starthint.h"
#include "bdsrx/time.h"
#include "bdsrx/track.h"
#include "bdsrx/trk.h"
#include "bdsrx/types.h"
#include "bdsrx/version.h"

#endif
