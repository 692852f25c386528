// A userspace stand-in for the BPF writer, to measure the reader and the
// merger without the kernel: it lays records out exactly as
// bpf/traceloop.bpf.c does (pads, page index, published count).
#pragma once

#include <cstdint>
#include <vector>

#include "ring_reader.h"

namespace traceloop {

class SyntheticRing {
public:
	SyntheticRing(const RingGeometry &geo, uint32_t cpu);
	// Appends an enter (three args, no params) or an exit; false when the
	// next record would not fit in the readable window (no wrap).
	bool append(bool enter, uint64_t ts);
	const uint8_t *element() const { return mem_.data(); }
	uint64_t emitted() const { return emitted_; }

private:
	RingGeometry geo_;
	uint32_t cpu_;
	std::vector<uint8_t> mem_;
	uint64_t head_ = 0;
	uint64_t emitted_ = 0;
};

struct DrainBenchResult {
	uint64_t events = 0; // records delivered by the reader and released by the merger
	uint64_t ns = 0;     // wall time of reading + merging, summed over iterations
};

// Fills one ring per CPU, then reads them all (fresh cursors) and merges
// them through the LiveMerger, `iterations` times.
DrainBenchResult bench_drain(uint32_t ncpus, uint64_t ring_bytes, uint32_t iterations);

} // namespace traceloop
