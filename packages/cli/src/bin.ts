#!/usr/bin/env node
import { main } from './main.js';

// Exit explicitly: after `gw start` drains, idle keep-alive sockets must not hold the process open.
process.exit(await main(process.argv));
