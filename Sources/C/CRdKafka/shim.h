#ifndef STREAMFLOW_CRDKAFKA_SHIM_H
#define STREAMFLOW_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>

/// rd_kafka_producev is variadic, which Swift cannot call: this fixes its arguments.
/// The payload and key are copied; on success the headers belong to librdkafka, on failure to the caller.
static inline rd_kafka_resp_err_t sf_kafka_produce(rd_kafka_t *rk, const char *topic, const void *key, size_t key_len,
                                                   const void *value, size_t value_len, rd_kafka_headers_t *headers,
                                                   void *opaque) {
    return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
}

#endif
