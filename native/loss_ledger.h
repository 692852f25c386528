// What a consumer owes its reader for batches it could not deliver: the one
// drop-and-mark piece. Both places that drop batches use it: the addon's
// Outbox (JS did not take batches fast enough) and each HTTP /stream
// (its client did not read; src/server/stream.ts, through the LossLedger
// binding). A dropped batch is owed per CPU: its enter/exit records as
// "consumer behind", its own markers' counts under their own reasons (a ring
// overwritten on cpu 1 is not a slow consumer on cpu 0), and a "cgroup gone"
// marker is kept to be said last. take() turns the debt into TL_REC_LOST
// records, so shown + marked lost = emitted holds for every consumer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace traceloop {

class LossLedger {
public:
	// A batch of merged records the reader will never see.
	void drop(const uint8_t *batch, size_t len);

	// `count` events of `cpu` lost for `reason`, somewhere between `ts_from`
	// and `ts_to` (0: unknown). A count of 0 owes nothing.
	void owe(uint32_t cpu, uint8_t reason, uint64_t count, uint64_t ts_from, uint64_t ts_to);

	// True while markers are owed.
	bool pending() const { return !owed_.empty() || gone_.has_value(); }

	// How many markers take() would append now.
	size_t markers() const { return owed_.size() + (gone_ ? 1 : 0); }

	// Appends the owed markers to `out` as TL_REC_LOST records, oldest gap
	// first (then by CPU, then reason), the end of the cgroup last; then
	// forgets them. Returns how many it appended.
	size_t take(std::vector<uint8_t> &out);

	// Events owed for `reason` since this ledger was made (taken or not).
	uint64_t owed_ever(uint8_t reason) const
	{
		auto it = ever_.find(reason);
		return it == ever_.end() ? 0 : it->second;
	}

private:
	struct Span {
		uint64_t count = 0, ts_from = 0, ts_to = 0;
	};
	std::map<std::pair<uint32_t, uint8_t>, Span> owed_; // by (cpu, reason)
	std::optional<std::pair<uint64_t, uint64_t>> gone_; // its ts_from, ts_to
	// By reason; a map, not 256 counters: the outbox keeps a ledger for every
	// cgroup it ever saw, most of which never drop anything.
	std::map<uint8_t, uint64_t> ever_;
};

} // namespace traceloop
