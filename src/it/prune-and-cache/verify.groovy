import java.time.LocalDate
import java.time.ZoneOffset

def cache = new File(basedir, 'cache').canonicalFile
def log = new File(basedir, 'build.log').text
def blobs = new File(cache, 'blobs/sha256').listFiles()
assert blobs != null && blobs.length == 0 : "the prune left ${blobs*.name}"

// images:cache before the prune: its folder, size, blob count and the oldest use (today's pull)
def before = log =~ /\[INFO\] cache \Q${cache}\E: ([0-9.]+) KB in (\d+) blobs, oldest use \Q${LocalDate.now(ZoneOffset.UTC)}\E \(today\)/
assert before.find() : 'images:cache did not describe the filled cache'
def count = before.group(2) as int
assert count >= 6 : "two images of a manifest, a config and layers each, yet ${count} blobs"

// the prune named every blob it removed and what it freed
assert (log =~ /\[INFO\] removed sha256:[0-9a-f]{64} \([0-9.]+ (B|KB), last used /).count == count
assert log =~ /\[INFO\] removed ${count} blobs and 2 tag records from \Q${cache}\E, freed [0-9.]+ KB; it holds 0 B in 0 blobs/
assert log.contains("[INFO] cache ${cache}: 0 B in 0 blobs, oldest use none")
return true
