#include "outbox.h"

extern "C" {
#include "../bpf/traceloop.h"
}

namespace traceloop {

bool Outbox::push(uint64_t id, std::vector<uint8_t> &&records)
{
	std::lock_guard<std::mutex> lock(mu_);
	forgotten_.erase(id); // recorded again
	LossLedger &ledger = ledgers_[id];
	if (records.empty() && !ledger.pending())
		return false;
	if (bytes_ + records.capacity() > max_bytes_) {
		ledger.drop(records.data(), records.size());
		return false;
	}
	if (ledger.pending()) {
		// The gap comes before what follows it.
		std::vector<uint8_t> marked;
		ledger.take(marked);
		records.insert(records.begin(), marked.begin(), marked.end());
	}
	bytes_ += records.capacity();
	queue_.emplace_back(id, std::move(records));
	const bool wake = !notified_;
	notified_ = true;
	return wake;
}

Outbox::Batches Outbox::take()
{
	std::lock_guard<std::mutex> lock(mu_);
	Batches out;
	out.swap(queue_);
	// Whatever was dropped came after everything that was queued: its
	// markers follow it, now that JS has caught up.
	for (auto &[id, ledger] : ledgers_) {
		if (!ledger.pending())
			continue;
		std::vector<uint8_t> marked;
		ledger.take(marked);
		out.emplace_back(id, std::move(marked));
	}
	for (uint64_t id : forgotten_)
		ledgers_.erase(id);
	forgotten_.clear();
	bytes_ = 0;
	notified_ = false;
	return out;
}

void Outbox::forget(uint64_t id)
{
	std::lock_guard<std::mutex> lock(mu_);
	auto it = ledgers_.find(id);
	if (it == ledgers_.end())
		return;
	if (it->second.pending())
		forgotten_.insert(id);
	else
		ledgers_.erase(it);
}

size_t Outbox::ledgers()
{
	std::lock_guard<std::mutex> lock(mu_);
	return ledgers_.size();
}

uint64_t Outbox::dropped(uint64_t id)
{
	std::lock_guard<std::mutex> lock(mu_);
	auto it = ledgers_.find(id);
	return it == ledgers_.end() ? 0 : it->second.owed_ever(TL_LOST_CONSUMER);
}

} // namespace traceloop
