#include "loss_ledger.h"

#include <algorithm>
#include <cstring>
#include <tuple>

extern "C" {
#include "../bpf/traceloop.h"
}

#include "records.h"
#include "ring_reader.h"

namespace traceloop {

void LossLedger::drop(const uint8_t *batch, size_t len)
{
	for_each_record(batch, len, [&](const RecordAt &r) {
		if (r.hdr.type == TL_REC_LOST && r.hdr.size >= sizeof(tl_lost)) {
			tl_lost m;
			std::memcpy(&m, batch + r.offset, sizeof(m));
			// A gone marker counts nothing but ends the story: said last.
			if (r.hdr.flags == TL_LOST_GONE)
				gone_.emplace(m.ts_from, m.ts_to);
			else
				owe(m.cpu, r.hdr.flags, m.count, m.ts_from, m.ts_to);
		} else if (r.events) {
			owe(r.cpu, TL_LOST_CONSUMER, r.events, r.ts, r.ts);
		}
	});
}

void LossLedger::owe(uint32_t cpu, uint8_t reason, uint64_t count, uint64_t ts_from, uint64_t ts_to)
{
	if (count == 0)
		return;
	ever_[reason] += count;
	auto [it, fresh] = owed_.try_emplace({cpu, reason}, Span{count, ts_from, ts_to});
	if (fresh)
		return;
	Span &s = it->second;
	s.count += count;
	if (ts_from != 0 && (s.ts_from == 0 || ts_from < s.ts_from))
		s.ts_from = ts_from;
	s.ts_to = std::max(s.ts_to, ts_to);
}

size_t LossLedger::take(std::vector<uint8_t> &out)
{
	using Entry = std::pair<const std::pair<uint32_t, uint8_t>, Span>;
	std::vector<const Entry *> order;
	order.reserve(owed_.size());
	for (const Entry &e : owed_)
		order.push_back(&e);
	std::stable_sort(order.begin(), order.end(), [](const Entry *a, const Entry *b) {
		return std::tie(a->second.ts_from, a->first) <
		       std::tie(b->second.ts_from, b->first);
	});
	CpuBatch markers;
	for (const Entry *e : order)
		append_lost(markers, e->first.first, e->first.second, e->second.count,
			    e->second.ts_from, e->second.ts_to);
	if (gone_)
		append_lost(markers, UINT32_MAX, TL_LOST_GONE, 0, gone_->first, gone_->second);
	out.insert(out.end(), markers.bytes.begin(), markers.bytes.end());
	const size_t n = markers.items.size();
	owed_.clear();
	gone_.reset();
	return n;
}

} // namespace traceloop
