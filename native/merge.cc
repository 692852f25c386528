#include "merge.h"

#include <queue>

namespace traceloop {

void merge_batches(const std::vector<CpuBatch> &batches, std::vector<uint8_t> &out)
{
	struct Cursor {
		uint64_t ts;
		uint32_t cpu;
		size_t batch;
		size_t index;
	};
	auto later = [](const Cursor &a, const Cursor &b) {
		return a.ts != b.ts ? a.ts > b.ts : a.cpu > b.cpu;
	};
	std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heap(later);

	size_t total = 0;
	for (size_t b = 0; b < batches.size(); b++) {
		total += batches[b].bytes.size();
		if (!batches[b].items.empty())
			heap.push({batches[b].items[0].ts, batches[b].cpu, b, 0});
	}
	out.reserve(out.size() + total);
	while (!heap.empty()) {
		Cursor c = heap.top();
		heap.pop();
		const CpuBatch &batch = batches[c.batch];
		const Item &it = batch.items[c.index];
		out.insert(out.end(), batch.bytes.begin() + it.offset,
			   batch.bytes.begin() + it.offset + it.len);
		if (++c.index < batch.items.size()) {
			c.ts = batch.items[c.index].ts;
			heap.push(c);
		}
	}
}

} // namespace traceloop
