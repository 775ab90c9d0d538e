#ifndef STREAMFLOW_CRDKAFKA_SHIM_H
#define STREAMFLOW_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#endif
