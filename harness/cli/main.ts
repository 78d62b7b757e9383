console.log("gauntlet cli", process.version, process.argv.slice(2), process.env.GAUNTLET_NATS_SERVER);
