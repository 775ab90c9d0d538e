#ifndef STREAMFLOW_CLMDB_SHIM_H
#define STREAMFLOW_CLMDB_SHIM_H
#include <lmdb.h>
#endif
