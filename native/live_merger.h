// Merges per-CPU record streams that arrive piecemeal (a read of each CPU's
// ring per drain tick) into one stream in timestamp order that is final
// when released: an item goes out only once no CPU can still produce
// anything older.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "ring_reader.h"

namespace traceloop {

class LiveMerger {
public:
	explicit LiveMerger(uint32_t ncpus);

	// Adds one read of `batch.cpu`'s ring, begun at `read_time` (CLOCK_MONOTONIC
	// ns, the clock of the records). Records the writer had stamped but not
	// yet published at that moment are at most `slack` older than read_time.
	// The batch's bytes are taken over, not copied.
	void add(CpuBatch &&batch, uint64_t read_time);

	// Appends to `out`, in (ts, cpu) order, every held item at or below the
	// watermark: the minimum over CPUs of the newest time that CPU is known
	// to have passed (its newest record, or its last read minus `slack`).
	// Returns the number of items released.
	size_t release(uint64_t slack, std::vector<uint8_t> &out);

	// Appends everything still held, in order (the stream's end).
	size_t flush(std::vector<uint8_t> &out);

	// The watermark of the last release: everything at or below it is out.
	uint64_t watermark() const { return watermark_; }

private:
	struct Held {
		uint64_t ts;
		uint64_t chunk; // which add()'s bytes, numbered from Pending::first_chunk
		uint32_t offset;
		uint32_t len;
	};
	struct Pending {
		std::deque<std::vector<uint8_t>> chunks; // one per add(), oldest first
		uint64_t first_chunk = 0;		 // the number of chunks.front()
		std::deque<Held> items;
		uint64_t newest_ts = 0;
		uint64_t read_time = 0;
	};
	size_t release_upto(uint64_t limit, std::vector<uint8_t> &out);

	std::vector<Pending> cpus_;
	uint64_t watermark_ = 0;
};

} // namespace traceloop
