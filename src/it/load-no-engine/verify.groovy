def log = new File(basedir, 'build.log').text
assert log.contains('no engine listening at unix:///nonexistent/images-it/docker.sock: there is no socket file (set DOCKER_HOST or -Dimages.dockerHost)')
assert !log.contains('Loaded image')
return true
