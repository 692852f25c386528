// Batches on their way from the drain thread to JS. Bounded: when JS falls
// behind, a batch that does not fit is dropped and owed in its cgroup's
// LossLedger (loss_ledger.h, the same drop-and-mark piece the HTTP streams
// use), and the owed markers go out before that cgroup's next batch, or as
// soon as JS takes what was queued, whichever comes first (a cgroup whose
// last batch was dropped gets its markers too). Memory stays flat; nothing
// goes unsaid: shown + marked lost = emitted holds per CPU. The bound counts
// what each batch holds allocated (capacity), not only its bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "loss_ledger.h"

namespace traceloop {

class Outbox {
public:
	using Batches = std::deque<std::pair<uint64_t, std::vector<uint8_t>>>;

	explicit Outbox(size_t max_bytes) : max_bytes_(max_bytes) {}

	// Drain thread. Returns true when JS must be woken.
	bool push(uint64_t id, std::vector<uint8_t> &&records);

	// JS thread: takes everything queued, then the markers still owed.
	Batches take();

	// Events of cgroup `id` dropped as "consumer behind" so far (each one
	// marked; a dropped batch's own markers keep their reasons and are not
	// counted here, the reader counted them already).
	uint64_t dropped(uint64_t id);

	// JS thread, when cgroup `id` is no longer recorded: its ledger goes,
	// now if it owes nothing, else once take() has handed out its last
	// markers. Without this a daemon that sees cgroups come and go (a
	// container per job) would keep a ledger for each, forever; and one
	// recorded again would start with the old one's count.
	void forget(uint64_t id);

	// Ledgers kept (tests: the one above leaves none behind).
	size_t ledgers();

private:
	std::mutex mu_;
	size_t max_bytes_;
	size_t bytes_ = 0;
	bool notified_ = false;
	Batches queue_;
	std::map<uint64_t, LossLedger> ledgers_; // by cgroup id
	std::set<uint64_t> forgotten_;		 // to erase after their last markers
};

} // namespace traceloop
