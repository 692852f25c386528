#include "live_merger.h"

#include <algorithm>
#include <queue>

extern "C" {
#include "../bpf/traceloop.h"
}

namespace traceloop {

LiveMerger::LiveMerger(uint32_t ncpus) : cpus_(ncpus) {}

void LiveMerger::add(const CpuBatch &batch, uint64_t read_time)
{
	Pending &p = cpus_.at(batch.cpu);
	p.read_time = std::max(p.read_time, read_time);
	const size_t base = p.bytes.size();
	p.bytes.insert(p.bytes.end(), batch.bytes.begin(), batch.bytes.end());
	for (Item it : batch.items) {
		it.offset += static_cast<uint32_t>(base);
		uint8_t type = p.bytes[it.offset + offsetof(tl_hdr, type)];
		if (it.ts < watermark_) {
			// Stamped before the watermark but published after it (a
			// writer preempted for longer than the slack). Order
			// already shown is never revised: it goes out next, flagged.
			if (type != TL_REC_LOST) {
				p.bytes[it.offset + offsetof(tl_hdr, flags)] |= TL_FLAG_LATE;
				late_++;
			}
			it.ts = watermark_;
		}
		p.newest_ts = std::max(p.newest_ts, it.ts);
		p.items.push_back(it);
	}
}

size_t LiveMerger::release(uint64_t slack, std::vector<uint8_t> &out)
{
	uint64_t mark = UINT64_MAX;
	for (const Pending &p : cpus_) {
		const uint64_t passed = p.read_time > slack ? p.read_time - slack : 0;
		mark = std::min(mark, std::max(p.newest_ts, passed));
	}
	if (mark == UINT64_MAX || mark < watermark_)
		mark = watermark_;
	watermark_ = mark;
	return release_upto(mark, out);
}

size_t LiveMerger::flush(std::vector<uint8_t> &out)
{
	size_t n = release_upto(UINT64_MAX, out);
	for (const Pending &p : cpus_)
		watermark_ = std::max(watermark_, p.newest_ts);
	return n;
}

size_t LiveMerger::held() const
{
	size_t n = 0;
	for (const Pending &p : cpus_)
		n += p.items.size();
	return n;
}

size_t LiveMerger::release_upto(uint64_t limit, std::vector<uint8_t> &out)
{
	struct Head {
		uint64_t ts;
		uint32_t cpu;
	};
	auto later = [](const Head &a, const Head &b) {
		return a.ts != b.ts ? a.ts > b.ts : a.cpu > b.cpu;
	};
	std::priority_queue<Head, std::vector<Head>, decltype(later)> heap(later);
	for (uint32_t c = 0; c < cpus_.size(); c++)
		if (!cpus_[c].items.empty() && cpus_[c].items.front().ts <= limit)
			heap.push({cpus_[c].items.front().ts, c});

	size_t n = 0;
	while (!heap.empty()) {
		const Head h = heap.top();
		heap.pop();
		Pending &p = cpus_[h.cpu];
		const Item it = p.items.front();
		p.items.pop_front();
		out.insert(out.end(), p.bytes.begin() + it.offset,
			   p.bytes.begin() + it.offset + it.len);
		p.consumed = it.offset + it.len;
		n++;
		if (!p.items.empty() && p.items.front().ts <= limit)
			heap.push({p.items.front().ts, h.cpu});
	}
	// Drop released bytes once they are most of the buffer.
	for (Pending &p : cpus_) {
		if (p.items.empty()) {
			p.bytes.clear();
			p.consumed = 0;
		} else if (p.consumed > p.bytes.size() / 2) {
			const uint32_t shift = static_cast<uint32_t>(p.consumed);
			p.bytes.erase(p.bytes.begin(), p.bytes.begin() + shift);
			for (Item &it : p.items)
				it.offset -= shift;
			p.consumed = 0;
		}
	}
	return n;
}

} // namespace traceloop
