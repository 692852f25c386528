// Merges the per-CPU batches of one read into a single stream ordered by
// timestamp (a k-way merge: each CPU's records are already in order).
#pragma once

#include <cstdint>
#include <vector>

#include "ring_reader.h"

namespace traceloop {

// Appends every item of every batch to `out` in (ts, cpu) order. Within one
// CPU the batch's own order is kept, so a marker stays before the record
// that revealed its gap.
void merge_batches(const std::vector<CpuBatch> &batches, std::vector<uint8_t> &out);

} // namespace traceloop
