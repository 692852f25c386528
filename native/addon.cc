// JavaScript bindings. The shapes here are typed in src/native.ts; keep the
// two in step.
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <cstring>
#include <napi.h>
#include <sys/utsname.h>

#include <bpf/libbpf.h>

extern "C" {
#include "../bpf/traceloop.h"
}

#include "live_merger.h"
#include "recorder.h"
#include "ring_reader.h"
#include "synthetic.h"

namespace traceloop {
namespace {

// Runs `fn`, turning C++ failures into JS errors with the same one line.
template <typename F> auto guarded(const Napi::Env &env, F fn) -> decltype(fn())
{
	try {
		return fn();
	} catch (const std::exception &e) {
		throw Napi::Error::New(env, e.what());
	}
}

uint64_t cgroup_id_arg(const Napi::CallbackInfo &info)
{
	bool lossless = false;
	if (info.Length() < 1 || !info[0].IsBigInt())
		throw Napi::TypeError::New(info.Env(), "expected a cgroup id (bigint)");
	return info[0].As<Napi::BigInt>().Uint64Value(&lossless);
}

Napi::Array cpu_stats(Napi::Env env, const std::vector<CpuStats> &cpus)
{
	Napi::Array arr = Napi::Array::New(env, cpus.size());
	for (size_t i = 0; i < cpus.size(); i++) {
		const CpuStats &s = cpus[i];
		Napi::Object o = Napi::Object::New(env);
		o.Set("cpu", s.cpu);
		// Records the BPF side tried to write: the ones it numbered plus
		// the ones it could not write. emitted = delivered + lost once
		// everything has been read.
		o.Set("emitted", static_cast<double>(s.counters.emitted + s.counters.failed));
		o.Set("failed", static_cast<double>(s.counters.failed));
		o.Set("faults", static_cast<double>(s.counters.faults));
		o.Set("headBytes", static_cast<double>(s.counters.head));
		o.Set("delivered", static_cast<double>(s.delivered));
		o.Set("lost", static_cast<double>(s.lost));
		arr.Set(i, o);
	}
	return arr;
}

Napi::Object read_result(Napi::Env env, const ReadOut &r)
{
	Napi::Object o = Napi::Object::New(env);
	o.Set("records", Napi::Buffer<uint8_t>::Copy(env, r.records.data(), r.records.size()));
	o.Set("cpus", cpu_stats(env, r.cpus));
	return o;
}

// Batches on their way from the drain thread to JS. Bounded: when JS falls
// behind, a batch that does not fit is dropped and counted, and the next
// batch of that cgroup starts with a TL_LOST_CONSUMER marker saying how many
// events were not shown, and when. Memory stays flat; nothing goes unsaid.
class Outbox {
public:
	explicit Outbox(size_t max_bytes) : max_bytes_(max_bytes) {}

	// Drain thread. Returns true when JS must be woken.
	bool push(uint64_t id, std::vector<uint8_t> &&records)
	{
		const Summary s = summarize(records);
		std::lock_guard<std::mutex> lock(mu_);
		Dropped &d = dropped_[id];
		if (records.empty() && !d.events)
			return false;
		if (bytes_ + records.size() > max_bytes_) {
			d.events += s.events;
			d.ts_from = d.events == s.events ? s.ts_first : d.ts_from;
			d.ts_to = s.ts_last;
			total_dropped_[id] += s.events;
			return false;
		}
		if (d.events) {
			CpuBatch m;
			append_lost(m, UINT32_MAX, TL_LOST_CONSUMER, d.events, d.ts_from, d.ts_to);
			records.insert(records.begin(), m.bytes.begin(), m.bytes.end());
			d = Dropped{};
		}
		bytes_ += records.size();
		queue_.emplace_back(id, std::move(records));
		const bool wake = !notified_;
		notified_ = true;
		return wake;
	}

	// JS thread: takes everything queued.
	std::deque<std::pair<uint64_t, std::vector<uint8_t>>> take()
	{
		std::lock_guard<std::mutex> lock(mu_);
		std::deque<std::pair<uint64_t, std::vector<uint8_t>>> out;
		out.swap(queue_);
		bytes_ = 0;
		notified_ = false;
		return out;
	}

	uint64_t dropped(uint64_t id)
	{
		std::lock_guard<std::mutex> lock(mu_);
		return total_dropped_[id];
	}

private:
	struct Summary {
		uint64_t events = 0, ts_first = 0, ts_last = 0;
	};
	// Events a batch stands for: its enter/exit records, plus what its
	// markers already count as lost (dropping a marker must not hide it).
	static Summary summarize(const std::vector<uint8_t> &b)
	{
		Summary s;
		for (size_t off = 0; off + sizeof(tl_hdr) <= b.size();) {
			tl_hdr h;
			std::memcpy(&h, b.data() + off, sizeof(h));
			if (h.size == 0)
				break;
			uint64_t ts = 0;
			if (h.type == TL_REC_ENTER || h.type == TL_REC_EXIT) {
				tl_event ev;
				std::memcpy(&ev, b.data() + off, sizeof(ev));
				s.events++;
				ts = ev.ts;
			} else if (h.type == TL_REC_LOST) {
				tl_lost m;
				std::memcpy(&m, b.data() + off, sizeof(m));
				s.events += m.count;
				ts = m.ts_to;
			}
			if (ts) {
				if (!s.ts_first)
					s.ts_first = ts;
				s.ts_last = ts;
			}
			off += h.size;
		}
		return s;
	}
	struct Dropped {
		uint64_t events = 0, ts_from = 0, ts_to = 0;
	};

	std::mutex mu_;
	size_t max_bytes_;
	size_t bytes_ = 0;
	bool notified_ = false;
	std::deque<std::pair<uint64_t, std::vector<uint8_t>>> queue_;
	std::map<uint64_t, Dropped> dropped_;
	std::map<uint64_t, uint64_t> total_dropped_;
};

class RecorderWrap : public Napi::ObjectWrap<RecorderWrap> {
public:
	static Napi::Function Define(Napi::Env env)
	{
		return DefineClass(env, "Recorder",
				   {
				       InstanceMethod("addCgroup", &RecorderWrap::AddCgroup),
				       InstanceMethod("removeCgroup", &RecorderWrap::RemoveCgroup),
				       InstanceMethod("snapshot", &RecorderWrap::Snapshot),
				       InstanceMethod("poll", &RecorderWrap::Poll),
				       InstanceMethod("stats", &RecorderWrap::Stats),
				       InstanceMethod("close", &RecorderWrap::Close),
				       InstanceMethod("startDrain", &RecorderWrap::StartDrain),
				       InstanceMethod("watch", &RecorderWrap::Watch),
				       InstanceMethod("unwatch", &RecorderWrap::Unwatch),
				       InstanceMethod("notShown", &RecorderWrap::NotShown),
				       InstanceMethod("loadReport", &RecorderWrap::LoadReport),
				   });
	}

	explicit RecorderWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<RecorderWrap>(info)
	{
		Napi::Env env = info.Env();
		if (info.Length() < 1 || !info[0].IsObject())
			throw Napi::TypeError::New(env, "expected options");
		Napi::Object o = info[0].As<Napi::Object>();
		RecorderConfig cfg;
		cfg.ring_bytes =
		    static_cast<uint64_t>(o.Get("ringBytes").As<Napi::Number>().Int64Value());
		cfg.max_capture = static_cast<uint32_t>(
		    o.Get("maxCaptureBytes").As<Napi::Number>().Uint32Value());
		cfg.floor_only = o.Get("floorOnly").ToBoolean().Value();
		if (o.Get("families").IsNumber())
			cfg.families = o.Get("families").As<Napi::Number>().Uint32Value();
		Napi::Value rules = o.Get("rules");
		if (!rules.IsBuffer())
			throw Napi::TypeError::New(env, "options.rules must be a Buffer");
		auto buf = rules.As<Napi::Buffer<uint8_t>>();
		cfg.rules.assign(buf.Data(), buf.Data() + buf.Length());
		Napi::Value keyed = o.Get("keyedRules");
		if (!keyed.IsUndefined()) {
			if (!keyed.IsBuffer())
				throw Napi::TypeError::New(env,
							   "options.keyedRules must be a Buffer");
			auto kb = keyed.As<Napi::Buffer<uint8_t>>();
			cfg.keyed_rules.assign(kb.Data(), kb.Data() + kb.Length());
		}
		guarded(env, [&] {
			rec_ = std::make_unique<Recorder>(cfg);
			return 0;
		});
	}

private:
	Recorder &rec(Napi::Env env)
	{
		if (!rec_)
			throw Napi::Error::New(env, "the recorder is closed");
		return *rec_;
	}

	Napi::Value AddCgroup(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		if (info.Length() < 1 || !info[0].IsString())
			throw Napi::TypeError::New(env, "expected a cgroup path");
		std::string path = info[0].As<Napi::String>();
		uint64_t id = guarded(env, [&] { return rec(env).add_cgroup(path); });
		return Napi::BigInt::New(env, id);
	}

	Napi::Value RemoveCgroup(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		guarded(env, [&] {
			rec(env).remove_cgroup(id);
			return 0;
		});
		return env.Undefined();
	}

	Napi::Value Snapshot(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		return read_result(env, guarded(env, [&] { return rec(env).snapshot(id); }));
	}

	Napi::Value Poll(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		return read_result(env, guarded(env, [&] { return rec(env).poll(id); }));
	}

	Napi::Value Stats(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		return cpu_stats(env, guarded(env, [&] { return rec(env).stats(id); }));
	}

	Napi::Value Close(const Napi::CallbackInfo &info)
	{
		rec_.reset(); // the destructor stops the drain, detaches, frees
		if (tsfn_) {
			tsfn_.Release();
			tsfn_ = Napi::ThreadSafeFunction();
		}
		return info.Env().Undefined();
	}

	// startDrain({periodMs, slackMs, maxQueueBytes}, onBatch(id, records))
	Napi::Value StartDrain(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction())
			throw Napi::TypeError::New(env, "startDrain(options, onBatch)");
		Napi::Object o = info[0].As<Napi::Object>();
		DrainConfig cfg;
		cfg.period_ns =
		    static_cast<uint64_t>(o.Get("periodMs").As<Napi::Number>().DoubleValue() * 1e6);
		cfg.slack_ns =
		    static_cast<uint64_t>(o.Get("slackMs").As<Napi::Number>().DoubleValue() * 1e6);
		const auto max_bytes =
		    static_cast<size_t>(o.Get("maxQueueBytes").As<Napi::Number>().DoubleValue());
		if (tsfn_)
			throw Napi::Error::New(env, "the drain is already running");
		outbox_ = std::make_shared<Outbox>(max_bytes);
		on_batch_ = Napi::Persistent(info[1].As<Napi::Function>());
		// The callback runs on the JS thread; it empties the outbox.
		tsfn_ = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(),
						      "traceloop-drain", 0, 1);
		tsfn_.Unref(env); // the drain alone does not keep the process alive
		auto outbox = outbox_;
		auto tsfn = tsfn_;
		guarded(env, [&] {
			rec(env).start_drain(cfg, [outbox, tsfn](uint64_t id,
								 std::vector<uint8_t> &&r) mutable {
				if (outbox->push(id, std::move(r)))
					tsfn.NonBlockingCall([outbox](Napi::Env env,
								      Napi::Function cb) {
						for (auto &[id, bytes] : outbox->take())
							cb.Call(
							    {Napi::BigInt::New(env, id),
							     Napi::Buffer<uint8_t>::Copy(
								 env, bytes.data(), bytes.size())});
					});
			});
			return 0;
		});
		return env.Undefined();
	}

	Napi::Value Watch(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		guarded(env, [&] {
			rec(env).watch(id);
			return 0;
		});
		return env.Undefined();
	}

	Napi::Value Unwatch(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		guarded(env, [&] {
			rec(env).unwatch(id);
			return 0;
		});
		// Hand out what unwatch() flushed now, not on a later tick: the
		// caller may end its stream right after this returns.
		if (outbox_)
			for (auto &[cg, bytes] : outbox_->take())
				on_batch_.Call(
				    {Napi::BigInt::New(env, cg),
				     Napi::Buffer<uint8_t>::Copy(env, bytes.data(), bytes.size())});
		return env.Undefined();
	}

	// Events the outbox dropped for this cgroup because JS was behind.
	Napi::Value NotShown(const Napi::CallbackInfo &info)
	{
		uint64_t id = cgroup_id_arg(info);
		return Napi::Number::New(info.Env(),
					 outbox_ ? static_cast<double>(outbox_->dropped(id)) : 0);
	}

	Napi::Value LoadReport(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		const traceloop::LoadReport &r = rec(env).load_report();
		Napi::Object o = Napi::Object::New(env);
		Napi::Array progs = Napi::Array::New(env, r.programs.size());
		for (size_t i = 0; i < r.programs.size(); i++) {
			const ProgramStats &p = r.programs[i];
			Napi::Object po = Napi::Object::New(env);
			po.Set("name", p.name);
			po.Set("insns", static_cast<double>(p.insns));
			Napi::Array stack = Napi::Array::New(env, p.stack.size());
			for (size_t j = 0; j < p.stack.size(); j++)
				stack.Set(j, p.stack[j]);
			po.Set("stack", stack);
			po.Set("verifyUs", static_cast<double>(p.verify_us));
			progs.Set(i, po);
		}
		o.Set("programs", progs);
		o.Set("loadMs", r.load_ms);
		o.Set("attempts", r.attempts);
		o.Set("families", r.families);
		o.Set("leftOut", r.left_out);
		o.Set("leftOutNames", family_names(r.left_out));
		o.Set("leftOutWhy", r.left_out_why);
		return o;
	}

	std::unique_ptr<Recorder> rec_;
	std::shared_ptr<Outbox> outbox_;
	Napi::FunctionReference on_batch_;
	Napi::ThreadSafeFunction tsfn_;
};

Napi::Value Versions(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	Napi::Object o = Napi::Object::New(env);
#ifdef TL_LIBBPF_VERSION
	o.Set("libbpf", TL_LIBBPF_VERSION); // the vendored release, e.g. 1.1.2
#else
	o.Set("libbpf", libbpf_version_string());
#endif
	struct utsname u;
	o.Set("kernel", uname(&u) == 0 ? u.release : "unknown");
	return o;
}

#define LAYOUT_SIZE(o, T) o.Set("sizeof(struct " #T ")", static_cast<double>(sizeof(struct T)))
#define LAYOUT_FIELD(o, T, f) o.Set(#T "." #f, static_cast<double>(offsetof(struct T, f)))

Napi::Value Layout(const Napi::CallbackInfo &info)
{
	Napi::Object o = Napi::Object::New(info.Env());
	LAYOUT_SIZE(o, tl_hdr);
	LAYOUT_FIELD(o, tl_hdr, size);
	LAYOUT_FIELD(o, tl_hdr, type);
	LAYOUT_FIELD(o, tl_hdr, flags);
	LAYOUT_FIELD(o, tl_hdr, tid);
	LAYOUT_SIZE(o, tl_event);
	LAYOUT_FIELD(o, tl_event, seq);
	LAYOUT_FIELD(o, tl_event, cpu);
	LAYOUT_FIELD(o, tl_event, nr);
	LAYOUT_FIELD(o, tl_event, ts);
	LAYOUT_SIZE(o, tl_enter);
	LAYOUT_FIELD(o, tl_enter, pid);
	LAYOUT_FIELD(o, tl_enter, nargs);
	LAYOUT_FIELD(o, tl_enter, nparams);
	LAYOUT_FIELD(o, tl_enter, comm);
	LAYOUT_FIELD(o, tl_enter, args);
	LAYOUT_SIZE(o, tl_exit);
	LAYOUT_FIELD(o, tl_exit, ret);
	LAYOUT_FIELD(o, tl_exit, pid);
	LAYOUT_FIELD(o, tl_exit, nparams);
	LAYOUT_SIZE(o, tl_param);
	LAYOUT_FIELD(o, tl_param, arg);
	LAYOUT_FIELD(o, tl_param, status);
	LAYOUT_FIELD(o, tl_param, len);
	LAYOUT_FIELD(o, tl_param, want);
	LAYOUT_SIZE(o, tl_lost);
	LAYOUT_FIELD(o, tl_lost, cpu);
	LAYOUT_FIELD(o, tl_lost, count);
	LAYOUT_FIELD(o, tl_lost, ts_from);
	LAYOUT_FIELD(o, tl_lost, ts_to);
	LAYOUT_SIZE(o, tl_ring_ctrl);
	LAYOUT_FIELD(o, tl_ring_ctrl, head);
	LAYOUT_FIELD(o, tl_ring_ctrl, emitted);
	LAYOUT_FIELD(o, tl_ring_ctrl, failed);
	LAYOUT_FIELD(o, tl_ring_ctrl, faults);
	LAYOUT_FIELD(o, tl_ring_ctrl, busy);
	LAYOUT_FIELD(o, tl_ring_ctrl, published);
	LAYOUT_FIELD(o, tl_ring_ctrl, last_ts);
	LAYOUT_FIELD(o, tl_ring_ctrl, page_start);
	LAYOUT_SIZE(o, tl_capture);
	LAYOUT_FIELD(o, tl_capture, kind);
	LAYOUT_FIELD(o, tl_capture, arg);
	LAYOUT_FIELD(o, tl_capture, len_arg);
	LAYOUT_FIELD(o, tl_capture, size);
	LAYOUT_SIZE(o, tl_rule);
	LAYOUT_FIELD(o, tl_rule, nargs);
	LAYOUT_FIELD(o, tl_rule, cap);
	LAYOUT_SIZE(o, tl_iov_part);
	LAYOUT_FIELD(o, tl_iov_part, iov_len);
	LAYOUT_FIELD(o, tl_iov_part, len);
	LAYOUT_FIELD(o, tl_iov_part, status);
	LAYOUT_SIZE(o, tl_msg_part);
	LAYOUT_FIELD(o, tl_msg_part, name);
	LAYOUT_FIELD(o, tl_msg_part, namelen);
	LAYOUT_FIELD(o, tl_msg_part, flags);
	LAYOUT_FIELD(o, tl_msg_part, iov);
	LAYOUT_FIELD(o, tl_msg_part, iovlen);
	LAYOUT_FIELD(o, tl_msg_part, control);
	LAYOUT_FIELD(o, tl_msg_part, controllen);
	LAYOUT_FIELD(o, tl_msg_part, name_len);
	LAYOUT_FIELD(o, tl_msg_part, control_len);
	LAYOUT_FIELD(o, tl_msg_part, name_status);
	LAYOUT_FIELD(o, tl_msg_part, control_status);
	LAYOUT_SIZE(o, tl_fdsets_part);
	LAYOUT_FIELD(o, tl_fdsets_part, nbits);
	LAYOUT_FIELD(o, tl_fdsets_part, status);
	LAYOUT_FIELD(o, tl_fdsets_part, timeout_status);
	LAYOUT_FIELD(o, tl_fdsets_part, timeout);
	LAYOUT_SIZE(o, tl_mmsg_part);
	LAYOUT_FIELD(o, tl_mmsg_part, msg_len);
	LAYOUT_FIELD(o, tl_mmsg_part, bytes);
	LAYOUT_FIELD(o, tl_mmsg_part, msg);
	LAYOUT_SIZE(o, tl_dirents_part);
	LAYOUT_FIELD(o, tl_dirents_part, count);
	LAYOUT_SIZE(o, tl_keyed_key);
	LAYOUT_FIELD(o, tl_keyed_key, nr);
	LAYOUT_FIELD(o, tl_keyed_key, selector);
	return o;
}

uint64_t u64_field(Napi::Object o, const char *key)
{
	bool lossless = false;
	Napi::Value v = o.Get(key);
	return v.IsBigInt() ? v.As<Napi::BigInt>().Uint64Value(&lossless) : 0;
}

// readRing(element, ringBytes, inflightBytes, cpu, state|null): the very
// reader poll() uses, on a synthetic element, for unit tests.
Napi::Value ReadRing(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	if (info.Length() < 5 || !info[0].IsBuffer())
		throw Napi::TypeError::New(
		    env, "readRing(element, ringBytes, inflightBytes, cpu, state)");
	auto element = info[0].As<Napi::Buffer<uint8_t>>();
	RingGeometry geo;
	geo.ring_bytes = static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
	geo.ctrl_bytes = ctrl_bytes_for(geo.ring_bytes);
	geo.inflight_bytes = static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value());
	const uint32_t cpu = info[3].As<Napi::Number>().Uint32Value();
	if (element.Length() < geo.ctrl_bytes + geo.ring_bytes)
		throw Napi::RangeError::New(env, "element is smaller than control block + ring");

	RingState state;
	if (info[4].IsObject()) {
		Napi::Object s = info[4].As<Napi::Object>();
		state.pos = u64_field(s, "pos");
		state.next_seq = u64_field(s, "nextSeq");
		state.last_ts = u64_field(s, "lastTs");
		state.failed_seen = u64_field(s, "failedSeen");
		state.delivered = s.Get("delivered").As<Napi::Number>().Int64Value();
		state.lost = s.Get("lost").As<Napi::Number>().Int64Value();
	}
	CpuBatch batch;
	batch.cpu = cpu;
	read_ring(element.Data(), geo, cpu, state, batch);
	std::vector<uint8_t> merged;
	LiveMerger one(cpu + 1);
	one.add(std::move(batch), 0);
	one.flush(merged);

	Napi::Object s = Napi::Object::New(env);
	s.Set("pos", Napi::BigInt::New(env, state.pos));
	s.Set("nextSeq", Napi::BigInt::New(env, state.next_seq));
	s.Set("lastTs", Napi::BigInt::New(env, state.last_ts));
	s.Set("failedSeen", Napi::BigInt::New(env, state.failed_seen));
	s.Set("delivered", static_cast<double>(state.delivered));
	s.Set("lost", static_cast<double>(state.lost));
	Napi::Object o = Napi::Object::New(env);
	o.Set("records", Napi::Buffer<uint8_t>::Copy(env, merged.data(), merged.size()));
	o.Set("state", s);
	return o;
}

// new LiveMerger(ncpus): the drain's merger, for unit and property tests.
// add(cpu, records, readTimeNs) takes one read's records (as readRing
// returns them); release(slackNs) and flush() return the merged stream.
class LiveMergerWrap : public Napi::ObjectWrap<LiveMergerWrap> {
public:
	static Napi::Function Define(Napi::Env env)
	{
		return DefineClass(env, "LiveMerger",
				   {InstanceMethod("add", &LiveMergerWrap::Add),
				    InstanceMethod("release", &LiveMergerWrap::Release),
				    InstanceMethod("flush", &LiveMergerWrap::Flush),
				    InstanceMethod("watermark", &LiveMergerWrap::Watermark)});
	}
	explicit LiveMergerWrap(const Napi::CallbackInfo &info)
	    : Napi::ObjectWrap<LiveMergerWrap>(info),
	      merger_(info[0].As<Napi::Number>().Uint32Value())
	{
	}

private:
	Napi::Value Add(const Napi::CallbackInfo &info)
	{
		CpuBatch batch;
		batch.cpu = info[0].As<Napi::Number>().Uint32Value();
		auto buf = info[1].As<Napi::Buffer<uint8_t>>();
		bool lossless;
		const uint64_t read_time = info[2].As<Napi::BigInt>().Uint64Value(&lossless);
		batch.bytes.assign(buf.Data(), buf.Data() + buf.Length());
		// One item per event with its params, or per marker.
		for (size_t off = 0; off + sizeof(tl_hdr) <= batch.bytes.size();) {
			tl_hdr h;
			std::memcpy(&h, batch.bytes.data() + off, sizeof(h));
			if (h.size < sizeof(tl_hdr))
				throw Napi::Error::New(info.Env(), "malformed record");
			if (h.type == TL_REC_PARAM && !batch.items.empty()) {
				batch.items.back().len += h.size;
			} else if (h.type == TL_REC_ENTER || h.type == TL_REC_EXIT) {
				tl_event ev;
				std::memcpy(&ev, batch.bytes.data() + off, sizeof(ev));
				batch.items.push_back({ev.ts, static_cast<uint32_t>(off), h.size});
			} else if (h.type == TL_REC_LOST) {
				tl_lost m;
				std::memcpy(&m, batch.bytes.data() + off, sizeof(m));
				batch.items.push_back(
				    {m.ts_to, static_cast<uint32_t>(off), h.size});
			}
			off += h.size;
		}
		merger_.add(std::move(batch), read_time);
		return info.Env().Undefined();
	}
	Napi::Value Release(const Napi::CallbackInfo &info)
	{
		bool lossless;
		std::vector<uint8_t> out;
		merger_.release(info[0].As<Napi::BigInt>().Uint64Value(&lossless), out);
		return Napi::Buffer<uint8_t>::Copy(info.Env(), out.data(), out.size());
	}
	Napi::Value Flush(const Napi::CallbackInfo &info)
	{
		std::vector<uint8_t> out;
		merger_.flush(out);
		return Napi::Buffer<uint8_t>::Copy(info.Env(), out.data(), out.size());
	}
	Napi::Value Watermark(const Napi::CallbackInfo &info)
	{
		return Napi::BigInt::New(info.Env(), merger_.watermark());
	}

	LiveMerger merger_;
};

// benchDrain(ncpus, ringBytes, iterations): the reader and the merger on
// synthetic full rings (bench/drain.mjs).
Napi::Value BenchDrain(const Napi::CallbackInfo &info)
{
	const DrainBenchResult r = bench_drain(info[0].As<Napi::Number>().Uint32Value(),
					       info[1].As<Napi::Number>().Int64Value(),
					       info[2].As<Napi::Number>().Uint32Value());
	Napi::Object o = Napi::Object::New(info.Env());
	o.Set("events", static_cast<double>(r.events));
	o.Set("ns", static_cast<double>(r.ns));
	return o;
}

// The values of the header's constants (defines and enums), for
// test/wire-layout.test.ts: src/wire.ts mirrors them by hand.
Napi::Value Constants(const Napi::CallbackInfo &info)
{
	Napi::Object o = Napi::Object::New(info.Env());
#define TL_CONSTANT(name) o.Set(#name, static_cast<double>(name))
	TL_CONSTANT(TL_MAX_CGROUPS);
	TL_CONSTANT(TL_FILTER_BITS);
	TL_CONSTANT(TL_MAX_SYSCALLS);
	TL_CONSTANT(TL_MAX_ARGS);
	TL_CONSTANT(TL_MAX_PARAMS);
	TL_CONSTANT(TL_COMM_LEN);
	TL_CONSTANT(TL_PAGE_SHIFT);
	TL_CONSTANT(TL_PAGE_SIZE);
	TL_CONSTANT(TL_MAX_CAPTURE);
	TL_CONSTANT(TL_PATH_MAX);
	TL_CONSTANT(TL_MIN_RING_BYTES);
	TL_CONSTANT(TL_MAX_RING_BYTES);
	TL_CONSTANT(TL_ALIGN);
	TL_CONSTANT(TL_FLAG_LATE);
	TL_CONSTANT(TL_CTRL_FIXED_BYTES);
	TL_CONSTANT(TL_STRV_MAX_COUNT);
	TL_CONSTANT(TL_PART_NULL);
	TL_CONSTANT(TL_PART_UNREAD);
	TL_CONSTANT(TL_IOV_MAX);
	TL_CONSTANT(TL_MSG_PART_MAX);
	TL_CONSTANT(TL_FDSET_MAX_BITS);
	TL_CONSTANT(TL_DIRENTS_MAX_STEPS);
	TL_CONSTANT(TL_MMSG_MAX);
	TL_CONSTANT(TL_MAX_KEYED);
	TL_CONSTANT(TL_REC_PAD);
	TL_CONSTANT(TL_REC_ENTER);
	TL_CONSTANT(TL_REC_EXIT);
	TL_CONSTANT(TL_REC_PARAM);
	TL_CONSTANT(TL_REC_LOST);
	TL_CONSTANT(TL_PARAM_OK);
	TL_CONSTANT(TL_PARAM_FAULT);
	TL_CONSTANT(TL_PARAM_TRUNCATED);
	TL_CONSTANT(TL_LOST_OVERWRITTEN);
	TL_CONSTANT(TL_LOST_BUSY);
	TL_CONSTANT(TL_LOST_TORN);
	TL_CONSTANT(TL_LOST_CONSUMER);
	TL_CONSTANT(TL_LOST_GONE);
	TL_CONSTANT(TL_CAP_NONE);
	TL_CONSTANT(TL_CAP_STR);
	TL_CONSTANT(TL_CAP_BUF_ARGLEN);
	TL_CONSTANT(TL_CAP_BUF_RETLEN);
	TL_CONSTANT(TL_CAP_STRUCT_ENTER);
	TL_CONSTANT(TL_CAP_STRUCT_EXIT);
	TL_CONSTANT(TL_CAP_BUF_ARGLEN_EXIT);
	TL_CONSTANT(TL_CAP_STRV);
	TL_CONSTANT(TL_CAP_IOV);
	TL_CONSTANT(TL_CAP_IOV_EXIT);
	TL_CONSTANT(TL_CAP_MSG);
	TL_CONSTANT(TL_CAP_MSG_EXIT);
	TL_CONSTANT(TL_CAP_FDSETS);
	TL_CONSTANT(TL_CAP_FDSETS_EXIT);
	TL_CONSTANT(TL_CAP_DIRENTS);
	TL_CONSTANT(TL_CAP_KEYED);
	TL_CONSTANT(TL_CAP_STRUCT_INOUT);
	TL_CONSTANT(TL_CAP_MMSG_EXIT);
	TL_CONSTANT(TL_FAM_KEYED);
	TL_CONSTANT(TL_FAM_STRV);
	TL_CONSTANT(TL_FAM_IOV);
	TL_CONSTANT(TL_FAM_MSG);
	TL_CONSTANT(TL_FAM_FDSETS);
	TL_CONSTANT(TL_FAM_DIRENTS);
	TL_CONSTANT(TL_FAM_ALL);
#undef TL_CONSTANT
	return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports)
{
	exports.Set("Recorder", RecorderWrap::Define(env));
	exports.Set("versions", Napi::Function::New(env, Versions));
	exports.Set("layout", Napi::Function::New(env, Layout));
	exports.Set("constants", Napi::Function::New(env, Constants));
	exports.Set("readRing", Napi::Function::New(env, ReadRing));
	exports.Set("LiveMerger", LiveMergerWrap::Define(env));
	exports.Set("benchDrain", Napi::Function::New(env, BenchDrain));
	return exports;
}

} // namespace
} // namespace traceloop

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports)
{
	return traceloop::Init(env, exports);
}

NODE_API_MODULE(NODE_GYP_MODULE_NAME, InitAddon)
