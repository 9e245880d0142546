"""Derived media for the library: poster frames, a sprite strip, waveform peaks, a proxy.

Everything is cached under ``<data dir>/library/assets/<hash[:2]>/<hash>/``, keyed by
the file's content fingerprint, so identical files share their assets and a changed
file gets new ones. Each asset is written to a temporary name and renamed into place:
readers never see half a file, and two makers racing (the worker and a request) only
waste work. A proxy that cannot be made leaves ``proxy.error.json`` with the reason.

The worker (:class:`AssetRunner`, a dramatiq actor dispatched from ``VideoImported``,
``VideoUpdated`` and ``VideoRestored``) makes them all ahead of time; requests make a
missing poster, sprite or waveform on the spot, and a missing proxy in the background.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import threading
from array import array
from typing import TYPE_CHECKING, Any, Final

import structlog

from stoat.commands.library import find_video
from stoat.media.files import fingerprint

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from stoat.domain.video import Video
    from stoat.services import Services
    from stoat.settings import Settings

log = structlog.get_logger(__name__)

POSTER_WIDTH: Final = 640
SPRITE_FRAMES: Final = 10
SPRITE_FRAME_WIDTH: Final = 160
PEAKS_PER_SECOND: Final = 100
STDERR_TAIL: Final = 2000


class AssetError(Exception):
    """FFmpeg could not make an asset from the source."""

    def __init__(self, asset: str, reason: str, stderr: str = "") -> None:
        super().__init__(f"cannot make the {asset}: {reason}")
        self.asset = asset
        self.reason = reason
        self.stderr = stderr


class AssetStore:
    """Makes and finds the assets of one content fingerprint."""

    def __init__(
        self,
        root: Path,
        *,
        ffmpeg: str = "ffmpeg",
        proxy_height: int = 360,
        timeout: float = 3600.0,
        background_jobs: int = 1,
    ) -> None:
        self.root = root
        self._ffmpeg = ffmpeg
        self.proxy_height = proxy_height
        self._timeout = timeout
        # A lock per asset being made, dropped when no thread holds or waits for it.
        self._locks: dict[Path, tuple[threading.Lock, list[int]]] = {}
        self._flight_lock = threading.Lock()
        self._in_flight: set[str] = set()  # proxies being made in this process
        self._background = threading.BoundedSemaphore(max(1, background_jobs))

    @classmethod
    def from_settings(cls, settings: Settings) -> AssetStore:
        return cls(
            settings.library_dir / "assets",
            ffmpeg=settings.ffmpeg,
            proxy_height=settings.proxy_height,
            timeout=settings.render_timeout_seconds,
            background_jobs=settings.asset_workers,
        )

    def directory(self, content_hash: str) -> Path:
        return self.root / content_hash[:2] / content_hash

    # -- posters and sprites ---------------------------------------------------------

    def poster(self, source: str, content_hash: str, at_us: int) -> Path:
        """A JPEG of the frame shown at ``at_us`` (rotation applied), at most 640 wide."""
        target = self.directory(content_hash) / f"poster-{at_us // 1000}ms.jpg"
        return self._make(target, lambda tmp: self._poster(source, at_us, tmp))

    def _poster(self, source: str, at_us: int, tmp: Path) -> None:
        scale = f"scale='min({POSTER_WIDTH},iw)':-2"
        self._run("poster", [*_seek(at_us), "-i", source, "-frames:v", "1", "-vf", scale], tmp)

    def sprite(self, source: str, content_hash: str, duration_us: int | None) -> Path:
        """A strip of frames side by side, each 160 wide, at ``(i + 0.5) / n`` of the
        duration (one frame for a still image)."""
        target = self.directory(content_hash) / "sprite.jpg"
        return self._make(target, lambda tmp: self._sprite(source, duration_us, tmp))

    def _sprite(self, source: str, duration_us: int | None, tmp: Path) -> None:
        times = sprite_times(duration_us)
        inputs: list[str] = []
        for at_us in times:
            inputs += [*_seek(at_us), "-i", source]
        scale = f"scale={SPRITE_FRAME_WIDTH}:-2,setsar=1"
        chains = [f"[{i}:v:0]{scale}[f{i}]" for i in range(len(times))]
        labels = "".join(f"[f{i}]" for i in range(len(times)))
        graph = ";".join([*chains, f"{labels}hstack=inputs={len(times)}[out]"])
        if len(times) == 1:
            graph = f"[0:v:0]{scale}[out]"
        argv = [*inputs, "-filter_complex", graph, "-map", "[out]", "-frames:v", "1"]
        self._run("sprite", argv, tmp)

    # -- waveform ------------------------------------------------------------------

    def waveform(self, source: str, content_hash: str, streams: Sequence[dict[str, Any]]) -> Path:
        """Peaks (min, max of the mono mix, -1..1) per 1/100 s for every audio stream."""
        target = self.directory(content_hash) / "waveform.json"
        return self._make(target, lambda tmp: self._waveform(source, streams, tmp))

    def _waveform(self, source: str, streams: Sequence[dict[str, Any]], tmp: Path) -> None:
        out = []
        for stream in streams:
            rate = int(stream.get("sample_rate") or 48000)
            peaks = self._peaks(source, int(stream["index"]), rate)
            out.append(
                {
                    "index": stream["index"],
                    "codec": stream.get("codec"),
                    "sample_rate": rate,
                    "channels": stream.get("channels"),
                    "peaks": peaks,
                }
            )
        document = {"peaks_per_second": PEAKS_PER_SECOND, "streams": out}
        tmp.write_text(json.dumps(document, separators=(",", ":")))

    def _peaks(self, source: str, index: int, rate: int) -> list[list[float]]:
        argv = [self._ffmpeg, "-v", "error", "-nostdin", "-i", source, "-map", f"0:{index}"]
        argv += ["-ac", "1", "-ar", str(rate), "-f", "s16le", "-acodec", "pcm_s16le", "-"]
        bucket = max(1, rate // PEAKS_PER_SECOND)
        peaks: list[list[float]] = []
        with subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as process:
            assert process.stdout is not None
            timer = threading.Timer(self._timeout, process.kill)
            timer.start()
            try:
                for samples in _chunks(process.stdout, bucket):
                    for start in range(0, len(samples), bucket):
                        part = samples[start : start + bucket]
                        peaks.append([round(min(part) / 32768, 4), round(max(part) / 32767, 4)])
                stderr = process.stderr.read() if process.stderr else b""
                code = process.wait()
            finally:
                timer.cancel()
        if code != 0:
            raise AssetError("waveform", f"ffmpeg exited with status {code}", _tail(stderr))
        return peaks

    # -- proxy ---------------------------------------------------------------------

    def proxy_path(self, content_hash: str) -> Path:
        return self.directory(content_hash) / "proxy.mp4"

    def proxy_error(self, content_hash: str) -> dict[str, Any] | None:
        """Why the proxy could not be made, if it could not."""
        marker = self.directory(content_hash) / "proxy.error.json"
        try:
            return dict(json.loads(marker.read_text()))
        except (OSError, ValueError):
            return None

    def proxy(self, source: str, content_hash: str) -> Path:
        """A small H.264/AAC MP4 (``proxy_height`` lines at most), made if missing."""
        target = self.proxy_path(content_hash)
        marker = target.with_name("proxy.error.json")
        try:
            return self._make(target, lambda tmp: self._proxy(source, tmp))
        except AssetError as error:
            marker.write_text(json.dumps({"reason": error.reason, "stderr_tail": error.stderr}))
            raise

    def _proxy(self, source: str, tmp: Path) -> None:
        scale = f"scale=-2:'min({self.proxy_height},ih)'"
        argv = ["-i", source, "-map", "0:v:0", "-map", "0:a:0?", "-vf", scale]
        argv += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p"]
        argv += ["-c:a", "aac", "-b:a", "96k", "-ac", "2", "-movflags", "+faststart"]
        self._run("proxy", argv, tmp)

    def proxy_in_background(self, source: str, content_hash: str) -> None:
        """Starts making the proxy in a daemon thread unless this process already is."""
        with self._flight_lock:
            if content_hash in self._in_flight:
                return
            self._in_flight.add(content_hash)

        def work() -> None:
            try:
                with self._background:
                    self.proxy(source, content_hash)
            except AssetError as error:
                log.warning("proxy_failed", content_hash=content_hash, reason=error.reason)
            finally:
                with self._flight_lock:
                    self._in_flight.discard(content_hash)

        threading.Thread(target=work, name=f"proxy-{content_hash[:8]}", daemon=True).start()

    # -- plumbing ------------------------------------------------------------------

    def _make(self, target: Path, make: Any) -> Path:
        if target.is_file():
            return target
        with self._lock(target):
            if target.is_file():
                return target
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{os.getpid()}-{threading.get_ident()}-{target.name}")
            try:
                make(tmp)
                if not tmp.is_file() or tmp.stat().st_size == 0:
                    raise AssetError(target.stem, "FFmpeg produced no output (no frame there?)")
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
        return target

    @contextlib.contextmanager
    def _lock(self, target: Path) -> Iterator[None]:
        with self._flight_lock:
            lock, users = self._locks.setdefault(target, (threading.Lock(), [0]))
            users[0] += 1
        try:
            with lock:
                yield
        finally:
            with self._flight_lock:
                users[0] -= 1
                if users[0] == 0:
                    del self._locks[target]

    def _run(self, asset: str, argv: list[str], output: Path) -> None:
        full = [self._ffmpeg, "-v", "error", "-nostdin", "-y", *argv, str(output)]
        try:
            done = subprocess.run(full, capture_output=True, timeout=self._timeout, check=False)
        except subprocess.TimeoutExpired:
            raise AssetError(asset, f"timed out after {self._timeout:.0f} s") from None
        if done.returncode != 0:
            stderr = _tail(done.stderr)
            reason = stderr.strip().splitlines()[-1] if stderr.strip() else "ffmpeg failed"
            raise AssetError(asset, reason, stderr)


@functools.cache
def asset_store(settings: Settings) -> AssetStore:
    """The process's store for these settings: requests and the worker share its locks."""
    return AssetStore.from_settings(settings)


def matches(video: Video) -> bool:
    """Whether the file still has the content the video records (assets made from it
    are cached under that fingerprint, so they must come from that content)."""
    try:
        size = os.stat(video.path).st_size
        return bool(fingerprint(video.path, size) == video.content_hash)
    except OSError:
        return False


def sprite_times(duration_us: int | None) -> list[int]:
    """When the sprite's frames are taken (microseconds)."""
    if not duration_us:
        return [0]
    return [duration_us * (2 * i + 1) // (2 * SPRITE_FRAMES) for i in range(SPRITE_FRAMES)]


def default_poster_time(duration_us: int | None) -> int:
    """10% into the file (0 for a still image)."""
    return (duration_us or 0) // 10


def downsample(peaks: list[list[float]], points: int) -> list[list[float]]:
    """``points`` buckets covering the same time: min of the mins, max of the maxes."""
    if points >= len(peaks) or not peaks:
        return peaks
    out = []
    for i in range(points):
        part = peaks[i * len(peaks) // points : (i + 1) * len(peaks) // points]
        out.append([min(p[0] for p in part), max(p[1] for p in part)])
    return out


def _seek(at_us: int) -> list[str]:
    return ["-ss", f"{at_us / 1_000_000:.6f}"] if at_us > 0 else []


def _chunks(stream: Any, bucket: int) -> Iterator[array[int]]:
    """Whole buckets of signed 16-bit samples (the last one may be short)."""
    size = bucket * 2 * 256
    pending = b""
    while True:
        data = stream.read(size)
        if not data:
            break
        data = pending + data
        usable = len(data) - len(data) % (bucket * 2)
        pending = data[usable:]
        if usable:
            yield array("h", data[:usable])
    if len(pending) >= 2:
        yield array("h", pending[: len(pending) - len(pending) % 2])


def _tail(stderr: bytes) -> str:
    return stderr.decode(errors="replace")[-STDERR_TAIL:]


class AssetRunner:
    """The actor: makes every asset of a video's current content, ahead of requests."""

    def __init__(self, services: Services, store: AssetStore, *, proxies: bool = True) -> None:
        self._services = services
        self._store = store
        self._proxies = proxies

    def run(self, video_id: str) -> None:
        """Makes what is missing for the video's current content (a no-op when all is
        there, so a redelivered or duplicate message costs a few ``stat`` calls)."""
        video = find_video(self._services.app, video_id)
        if video is None or video.removed or not matches(video):
            log.info("assets_skipped", video_id=video_id)
            return
        for name, make in self._plan(video):
            try:
                make()
            except AssetError as error:
                log.warning("asset_failed", video_id=video_id, asset=name, reason=error.reason)

    def _plan(self, video: Video) -> Iterator[tuple[str, Any]]:
        media, path, digest = video.media, video.path, video.content_hash
        duration = media.get("duration")
        if media.get("has_video"):
            at = default_poster_time(duration)
            yield "poster", lambda: self._store.poster(path, digest, at)
            yield "sprite", lambda: self._store.sprite(path, digest, duration)
        audio = [s for s in media.get("streams", []) if s.get("type") == "audio"]
        if audio:
            yield "waveform", lambda: self._store.waveform(path, digest, audio)
        if self._proxies and media.get("kind") == "video":
            yield "proxy", lambda: self._store.proxy(path, digest)
