// Reads one (cgroup, CPU) ring that the BPF side keeps writing, without ever
// stopping it: copy, then prove the copy was not overwritten meanwhile. The
// ring protocol is described in bpf/traceloop.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace traceloop {

constexpr uint64_t kNoPosition = UINT64_MAX;

// Geometry of one ring element: control block + page index, then data.
struct RingGeometry {
	uint64_t ring_bytes; // data bytes, power of two
	uint64_t ctrl_bytes; // bytes before the data, page-aligned
	// Bytes past the published head a writer may be scribbling on: a pad plus
	// the largest record. Data older than head - ring_bytes + inflight is safe.
	uint64_t inflight_bytes;
};

// Control block bytes needed for a ring of `ring_bytes`, rounded to pages.
uint64_t ctrl_bytes_for(uint64_t ring_bytes);

// Each thread's comm as its last named enter in one ring gave it
// (bpf/traceloop.h "Comm carried forward"): a map, with a direct-mapped
// cache by tid in front of it, for a ring mostly holds a few threads and
// every enter asks.
class CommMemory {
public:
	using Comm = std::array<char, 16>;

	// The comm of tid, or null if it is not known.
	const Comm *find(uint32_t tid)
	{
		Slot &s = cache_[tid % kSlots];
		if (s.valid && s.tid == tid)
			return &s.comm;
		auto it = all_.find(tid);
		if (it == all_.end())
			return nullptr;
		s = Slot{tid, true, it->second};
		return &s.comm;
	}
	void set(uint32_t tid, const void *comm)
	{
		if (all_.size() >= kMax && !all_.count(tid))
			clear(); // bounded: what is forgotten is marked, never wrong
		Comm &c = all_[tid];
		std::memcpy(c.data(), comm, c.size());
		cache_[tid % kSlots] = Slot{tid, true, c};
	}
	void clear()
	{
		all_.clear();
		cache_ = {};
	}
	const std::unordered_map<uint32_t, Comm> &all() const { return all_; }

private:
	static constexpr size_t kSlots = 64;
	static constexpr size_t kMax = 1 << 16;
	struct Slot {
		uint32_t tid;
		bool valid;
		Comm comm;
	};
	std::array<Slot, kSlots> cache_{};
	std::unordered_map<uint32_t, Comm> all_;
};

// What a reader remembers about one ring between reads.
struct RingState {
	uint64_t pos = kNoPosition; // absolute position of the next unread record
	uint64_t next_seq = 0;	    // full sequence number expected next
	uint64_t last_ts = 0;	    // timestamp of the newest record delivered
	uint64_t failed_seen = 0;   // ctl->failed already reported
	uint64_t delivered = 0;	    // records handed out so far
	uint64_t lost = 0;	    // records marked lost so far
	// The enter group delivered last, while no record followed it: a
	// TL_REC_DONE at open_end completes it (bpf/traceloop.h tl_done). What
	// the exit it stands for copies from the enter.
	uint64_t open_end = kNoPosition;
	uint64_t open_seq = 0;
	uint64_t open_ts = 0;
	uint32_t open_tid = 0;
	uint32_t open_pid = 0;
	uint16_t open_nr = 0;
	// Forgotten at a loss: the records lost may have renamed a thread.
	CommMemory comms;
};

// One merge unit: an enter or exit record with its params, or a marker.
struct Item {
	uint64_t ts;
	uint32_t offset; // into CpuBatch::bytes
	uint32_t len;
};

// Records of one CPU, in order, ready for the merge.
struct CpuBatch {
	uint32_t cpu = 0;
	std::vector<uint8_t> bytes;
	std::vector<Item> items;
};

// Counters from the control block, read once per read.
struct RingCounters {
	uint64_t head = 0;
	uint64_t emitted = 0;
	uint64_t failed = 0;
	uint64_t faults = 0;
};

// Reads what the ring holds past `state` (everything, for a fresh state)
// into `out`, marking every record that cannot be delivered. `element` is
// the mmapped (or synthetic) ring element.
RingCounters read_ring(const uint8_t *element, const RingGeometry &geo, uint32_t cpu,
		       RingState &state, CpuBatch &out);

// Appends a TL_REC_LOST marker to `out`.
void append_lost(CpuBatch &out, uint32_t cpu, uint8_t reason, uint64_t count, uint64_t ts_from,
		 uint64_t ts_to);

} // namespace traceloop
