def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('invalid image reference "') && log.contains('/Test/UPPER:1.0"')
assert log.contains('must be lowercase')
assert !new File(basedir, 'target/images').exists()
return true
