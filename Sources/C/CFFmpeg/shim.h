#ifndef STREAMFLOW_CFFMPEG_SHIM_H
#define STREAMFLOW_CFFMPEG_SHIM_H
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <malloc.h>

/* Function-like and casting macros are not imported into Swift. */
static inline int sf_averror_eof(void) { return AVERROR_EOF; }
static inline int sf_averror_eagain(void) { return AVERROR(EAGAIN); }
/* Gives the pages freed encoders leave in glibc's arenas back to the system (malloc.h is not in Swift's Glibc). */
static inline int sf_release_free_memory(void) { return malloc_trim(0); }
#endif
