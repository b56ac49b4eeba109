#ifndef SCRAPER_CRDKAFKA_SHIM_H
#define SCRAPER_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
/* rd_kafka_producev is variadic; this wrapper produces one keyed message with a copy of the payload. */
static inline rd_kafka_resp_err_t scraper_kafka_produce(rd_kafka_t *rk, const char *topic,
        const void *key, size_t key_len, const void *payload, size_t len, void *opaque) {
    return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)payload, len), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
}
#endif
