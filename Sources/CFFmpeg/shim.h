#ifndef STREAMFLOW_CFFMPEG_SHIM_H
#define STREAMFLOW_CFFMPEG_SHIM_H
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

/* Function-like and casting macros are not imported into Swift. */
static inline int sf_averror_eof(void) { return AVERROR_EOF; }
static inline int sf_averror_eagain(void) { return AVERROR(EAGAIN); }
#endif
