import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toBedrockBody } from '../../../src/translators/anthropic-bedrock/body.js';
import { headerBetas } from '../../../src/translators/anthropic-bedrock/betas.js';
import type { ModelOptions } from '../../../src/config/types.js';
import { FIXTURES, readFixture, type CapturedRequest } from '../../support/fixtures.js';
import { anthropicToBedrock } from '../../../src/translators/anthropic-bedrock/index.js';
/** The body as the Bedrock pair reads it (with its beta policy's words indexed). */
const parseForBedrock = (bytes: Uint8Array) => anthropicToBedrock.parseBody(bytes);

/**
 * The body path is tuned for speed (decisions/0006); these goldens pin its output to the bytes the
 * straightforward version produced, so a faster scanner or splicer can't change a byte or an error.
 * The hashes were recorded with the code before the speed work and must never be regenerated to make
 * a change pass.
 */

const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const OPTIONS: ModelOptions = { max_tokens: 50000, temperature: 0.7, top_p: 0.9, anthropic_version: 'bedrock-2023-05-31' };
const EXTRA_BETAS = 'context-1m-2025-08-07,advanced-tool-use-2025-11-20,fine-grained-tool-streaming-2025-05-14,extended-cache-ttl-2025-04-11';

const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Everything the conversion hands on: the body bytes, the beta lists, and what the body check found. */
function outcome(bytes: Buffer, model: string, headers: Record<string, string>, options?: ModelOptions): string {
  let parsed;
  try {
    parsed = parseForBedrock(bytes);
  } catch (error) {
    return `parse:${(error as { code?: string }).code ?? (error as Error).name}`;
  }
  let out;
  try {
    out = toBedrockBody({ body: parsed, model, headerBetas: headerBetas(headers), options });
  } catch (error) {
    return `bedrock:${(error as { code?: string }).code ?? (error as Error).name}`;
  }
  const facts = {
    model: parsed.model,
    stream: parsed.stream,
    members: [...parsed.members].map(([name, raw]) => [name, parsed.starts.get(name), sha(raw)]),
    betas: out.betas,
    dropped: out.droppedBetas,
    skipped: out.skippedOptions,
  };
  return sha(Buffer.concat([...out.body, Buffer.from(`\n${JSON.stringify(facts)}`)]));
}

const VARIANTS = {
  compact: (body: unknown, request: CapturedRequest) => outcome(Buffer.from(JSON.stringify(body)), HAIKU, request.headers),
  pretty: (body: unknown, request: CapturedRequest) => outcome(Buffer.from(JSON.stringify(body, null, 2)), SONNET, request.headers, OPTIONS),
  betas: (body: unknown, request: CapturedRequest) =>
    outcome(Buffer.from(JSON.stringify(body, null, '\t')), SONNET, { 'anthropic-beta': `${request.headers['anthropic-beta'] ?? ''},${EXTRA_BETAS}` }),
};

/** Every request of every Claude Code capture that has a body, under each variant. */
function captureCases(): [string, () => string][] {
  const cases: [string, () => string][] = [];
  for (const file of readdirSync(new URL('claude-code/', FIXTURES)).filter((name) => name.endsWith('.json')).sort()) {
    const requests = readFixture<{ requests?: CapturedRequest[] }>(`claude-code/${file}`).requests ?? [];
    requests.forEach((request, index) => {
      const body = request.body ?? request.bodyTruncated;
      if (body === undefined) return;
      for (const [variant, run] of Object.entries(VARIANTS)) cases.push([`${file}#${index}/${variant}`, () => run(body, request)]);
    });
  }
  return cases;
}

/** A small body with everything the scanner must get right: escapes, unicode, nesting, whitespace, stripped fields. */
const TRICKY = Buffer.from(
  '{ "model" : "claude-h\\u00e4iku", "max_tokens":1024,\n' +
    '\t"messages": [ {"role":"user","content":[{"type":"text","text":"a \\"q\\" \\\\ b\\\\\\\\ \\\\\\" } ] { [ é 日本 🎉 \\u2028 \\ud83c\\udf89"},' +
    ' {"type":"text","text":"","cache_control":{"type":"ephemeral","ttl":"1h"}}]} ],\r\n' +
    ' "system" : [{"type":"text","text":"x\\\\","cache_control":{"type":"ephemeral","ttl":"5m"}}],' +
    ' "tools":[{"name":"t\\"1","input_schema":{"type":"object","properties":{"a":{"type":["string","null"]}}},"defer_loading":true,"eager_input_streaming":true},{"name":"ü"}],' +
    ' "thinking":{"type":"enabled","budget_tokens":1000,"display":"summarized"}, "context_management":{"edits":[]},' +
    ' "anthropic_beta":["token-efficient-tools-2025-02-19","interleaved-thinking-2025-05-14"],' +
    ' "metadata":{"user_id":"u\\u0000"}, "stream" : true , "temperature":1e0 }\n',
  'utf8',
);
const TRICKY_HEADERS = { 'anthropic-beta': 'interleaved-thinking-2025-05-14, context-management-2025-06-27,fine-grained-tool-streaming-2025-05-14' };

/** Every single-byte edit of TRICKY, by kind: one digest over all outcomes (body hash or error). */
const MUTATIONS: Record<string, (bytes: Buffer, at: number) => Buffer> = {
  delete: (bytes, at) => Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]),
  quote: (bytes, at) => Buffer.concat([bytes.subarray(0, at), Buffer.from('"'), bytes.subarray(at + 1)]),
  backslash: (bytes, at) => Buffer.concat([bytes.subarray(0, at), Buffer.from('\\'), bytes.subarray(at + 1)]),
  insertBrace: (bytes, at) => Buffer.concat([bytes.subarray(0, at), Buffer.from('}'), bytes.subarray(at)]),
  insertBracket: (bytes, at) => Buffer.concat([bytes.subarray(0, at), Buffer.from(']'), bytes.subarray(at)]),
  truncate: (bytes, at) => bytes.subarray(0, at),
};

function mutationDigest(kind: string): { digest: string; errors: number; bodies: number } {
  const edit = MUTATIONS[kind];
  const hash = createHash('sha256');
  let errors = 0;
  for (let at = 0; at < TRICKY.length; at++) {
    const result = outcome(edit(TRICKY, at), HAIKU, TRICKY_HEADERS);
    if (result.includes(':')) errors++;
    hash.update(`${at}=${result}\n`);
  }
  return { digest: hash.digest('hex'), errors, bodies: TRICKY.length - errors };
}

// Recorded with the code before the speed work (see above).
const CAPTURE_GOLDEN: Record<string, string> = {
  'cc-2.0.37-auth-token.json#0/compact': '6707f1057edf4e043ba96bda8b1e5067059767dc20f4ab75a4bb85ddc4077c3e',
  'cc-2.0.37-auth-token.json#0/pretty': '37fed802a154d078be24f32c94f23558c26f45b0efe52a9db3b4da42921d6f83',
  'cc-2.0.37-auth-token.json#0/betas': 'a9bb34d6a69779101918709d0bfb982817e98442e127fa4f152ce9e1712c40df',
  'cc-2.0.37-auth-token.json#1/compact': '7478b49c76a1edf51a755a43ee46046f34ec77b852c51126671974a77be83f4f',
  'cc-2.0.37-auth-token.json#1/pretty': 'dd14cce1cd8bb0ee7d904156c1cb92f517bebbc2e12341db7f2f556d58f428dd',
  'cc-2.0.37-auth-token.json#1/betas': 'f7f470efbdde34cf102d1eafda10fd436cd89315db70e1bed586cdc00b38442e',
  'cc-2.0.37-auth-token.json#2/compact': '454436d1ced0b69c095dee5951d75b6a9f197e7e2dd3d147aed32315a20a6b43',
  'cc-2.0.37-auth-token.json#2/pretty': 'c48b9c6176836b7f2b0601b9f64bf16b37f0c646912fe0595658691c087b61b2',
  'cc-2.0.37-auth-token.json#2/betas': '0a598a4c327f7e7ce07680a1f988b1d55fda96b71ba51711f621f979dd308c68',
  'cc-2.0.37-interactive.json#0/compact': '1611350db86d3e0edbe03696d92144eca7711020dc36860dab87ebbfa63acdc7',
  'cc-2.0.37-interactive.json#0/pretty': '4f043a0be0bd4b6bf0e9bc3e02b4322b4c7b559b253c667bde343d9af37a7bc1',
  'cc-2.0.37-interactive.json#0/betas': '8f862f5b663a45fa333babdf64621a9db1997be48ba2f3a70b7cba421ce23bb0',
  'cc-2.0.37-interactive.json#1/compact': '12dd4a41151cb74d565b7363ab268d33127cbca93fc77dfc1ab48971af6922fb',
  'cc-2.0.37-interactive.json#1/pretty': 'a0bd51ec2b83bf058136a257d966ccb522c45ee3acbaae67c9b04b1b28a3f3d4',
  'cc-2.0.37-interactive.json#1/betas': '19072a01ae3006549c77b12b13085d5410779d5adb01d7d91b030334e0cc5848',
  'cc-2.0.37-interactive.json#2/compact': '7315309226c5df45f38da2268dde935772f310c84ddc612cd2d3102fa008cad7',
  'cc-2.0.37-interactive.json#2/pretty': '012fc8063e45d4b68bc3c1fed60b4dee0a82c15a81dab97d1cc24f4a17bdf2a7',
  'cc-2.0.37-interactive.json#2/betas': '94afa6900448adcdd034766cd228fc7dcf9fb7acec3f2ebce2b47bd30ac67ae9',
  'cc-2.0.37-interactive.json#3/compact': 'cf99869e33ab21ce1970b3f79e2fa66fe5bf67e062e983f8280e52f4467b08de',
  'cc-2.0.37-interactive.json#3/pretty': 'd0febe58d846ae90b841dad8689156f1c8065d1233e2b2beea81af543b27eb0b',
  'cc-2.0.37-interactive.json#3/betas': '9e5ddff5d8e9d4c387045ca2783074d650652240192fec61aef46d487ad5aed4',
  'cc-2.0.37-model-alias-env.json#0/compact': '28343c7cf00840482ff2c0f3ced25dcd9ce205c5a3695f43fd2fb6607011d9f8',
  'cc-2.0.37-model-alias-env.json#0/pretty': '822c889f65147447dbf57c9b3893214fdbcf9e48fd3c6dfc5979cf6ed5f3628b',
  'cc-2.0.37-model-alias-env.json#0/betas': 'f4184f520c22ac35c717f7d1713d2b6f7b24169636b314a80d750670e277ecf1',
  'cc-2.0.37-model-alias-env.json#1/compact': 'f74ad4aa676b60915c35850d0d217091654e5f0dc400e188b5adf32a3090846e',
  'cc-2.0.37-model-alias-env.json#1/pretty': '165e3a5cb08136c92177766028f7e42a32b6fd07f4f7dae3d223ca196edc2aaa',
  'cc-2.0.37-model-alias-env.json#1/betas': '9922a2f02e762939ad1318336d01436096465fe8984363aacc803c2a33f9c172',
  'cc-2.0.37-model-alias-env.json#2/compact': '79828876f44992b4174fd83db9ecd8762a88462615209159477320f11594056a',
  'cc-2.0.37-model-alias-env.json#2/pretty': 'bd3110bea048a3c19d55e3fa87fa5c32e34c5b359f3bc0de3b426ab607f895f6',
  'cc-2.0.37-model-alias-env.json#2/betas': '4fb4556df09817bb231826625656d1bccc68e51b55d9e474ebd8b9fa97959531',
  'cc-2.0.37-no-model-env.json#0/compact': '368e19621ff98bc0d9b70cdc0122f53a712ed183b69f6a1b6fa97fa504c58b4b',
  'cc-2.0.37-no-model-env.json#0/pretty': '624a36b87a10448276c172b19c235d74c09816d4d7dc514b91a2ea71062fc218',
  'cc-2.0.37-no-model-env.json#0/betas': '51452c64972c68a73b2655350cde7311decd513a0d2f41196328728a852db691',
  'cc-2.0.37-no-model-env.json#1/compact': '37f32d08fc9116d26bae10a4227facb9c66f8f6a43c934e5acf9de139af4af93',
  'cc-2.0.37-no-model-env.json#1/pretty': '2eff88c770fc546761d74eab9a3a548d2392cebab1bedfcb4b21080f09eb061f',
  'cc-2.0.37-no-model-env.json#1/betas': 'ddc32d55a074701925a2cf377f9a27e59de8a3b71c8859878c59493252347a52',
  'cc-2.0.37-no-model-env.json#2/compact': '8eebe2c42fb3c227c5ce6b1430db0fec58e01d092e822421e4d23a205e68a863',
  'cc-2.0.37-no-model-env.json#2/pretty': '4721fc72d0c3483d05406bf412d99996f2850f3f3f148fd28e73b31762ba1e0f',
  'cc-2.0.37-no-model-env.json#2/betas': 'e0359b64c682d2bfabfb346572d8ec28e3fff8901965e9f9ed37a9b9f10998f7',
  'cc-2.0.37-print-json.full.json#0/compact': '52e63d4cbccc3f809912a543ca542d10207e5af1fdbed63c0e58ee0ab4d73b4e',
  'cc-2.0.37-print-json.full.json#0/pretty': '9ab71a12f6268628af57d4a69776db750e6621988a158fa306434375406e6681',
  'cc-2.0.37-print-json.full.json#0/betas': '2f24d6919db57090473296c247c2226c5ad680e29b262f6303d061baf1263c2a',
  'cc-2.0.37-print-json.full.json#1/compact': '554bcda7ea4de66dc246dace64fc3e945927d835cf14674ead6f09d1bbedd520',
  'cc-2.0.37-print-json.full.json#1/pretty': '8a0aaa1ad17db7f1bfe386cafef3fcf1dc333802e3afd12fd047fe1777a578c9',
  'cc-2.0.37-print-json.full.json#1/betas': 'dcd8702cd42a0c9da2105043c43c4c8d328337cef47144d552e9bd92b39986d4',
  'cc-2.0.37-print-json.full.json#2/compact': '85383a34070cd94bc8cca17f818786ac8d2c7d2d560c8c9a80aae977d2c74404',
  'cc-2.0.37-print-json.full.json#2/pretty': '9fbc7b7d5e5c6fd44bbdf63d11aa2bc28f79156762492f0200d57ed9295d8fd8',
  'cc-2.0.37-print-json.full.json#2/betas': 'b33a3af7801548e9beda1654d4bdeaaeb0c2a46b551631f9859f4da2cf42137d',
  'cc-2.0.37-sonnet-model.json#0/compact': '0d60fb0c9e479967a8421490abb55379b33bce8c5033175ad95e1cbe948a8c3a',
  'cc-2.0.37-sonnet-model.json#0/pretty': '94c24a3db23fe00df4ec9c4df9b7346a543ecdb516737c3dd61527778aa59cba',
  'cc-2.0.37-sonnet-model.json#0/betas': 'e182930d446dbdc37fddff0b7227c28c6dba324d5f5d9018ce127ca2486e4b46',
  'cc-2.0.37-sonnet-model.json#1/compact': '57eee2a687f707bd5e664a2a86aab9da8ec5a5916d9064bf9b7cd2db8ce32f24',
  'cc-2.0.37-sonnet-model.json#1/pretty': 'c3b4fc38b505d1ecfb89ab908b4546f735d1f5d5942716e54702d12ac5868939',
  'cc-2.0.37-sonnet-model.json#1/betas': 'a5e9519b85b3576e7fa210826f5e20e45b46f75a6e5be65df9255688553b50f6',
  'cc-2.0.37-sonnet-model.json#2/compact': 'e8a12c0f38866ebdb5fbad8d9388475c127101bcbe35b93158f4dc3eb4d242f2',
  'cc-2.0.37-sonnet-model.json#2/pretty': '43cf1f48ac6992ff604b582cf27973953f3ed265beaeac49741910ebcb70dc94',
  'cc-2.0.37-sonnet-model.json#2/betas': '7c0437732d68721b344d2fc5ba7f002b1314b018d71bdd12c9dea5836585c312',
  'cc-2.0.37-stream-json.json#0/compact': '916410e8e4785518394e94ea7f0473795feba62ea40a9901e28f574c127cd7b0',
  'cc-2.0.37-stream-json.json#0/pretty': '90993a22f98d23d21aed21da801e8563e5e365561201e96ae71285a6a9212800',
  'cc-2.0.37-stream-json.json#0/betas': '412f28ec943d9de90364cdebb1a1e9b858221c69ee98a13a9336b5fea158b221',
  'cc-2.0.37-stream-json.json#1/compact': '3175cff0e26e61c72228158b43d24290057c904e69c8d11e03f703bd7907b15c',
  'cc-2.0.37-stream-json.json#1/pretty': '36d0bdbaafdbb124a5890d334297dcf4cd0ba7838e1370d9f30b965a8ebcca38',
  'cc-2.0.37-stream-json.json#1/betas': 'b5182d24ea9d57c949649f2f11ce11bcd87cfbea60f4fd54c4db2e224bcd0577',
  'cc-2.0.37-stream-json.json#2/compact': 'e36e0eb2d5cfb532015997b5b56c6716f40f6d179e9ed151627fb51a24863106',
  'cc-2.0.37-stream-json.json#2/pretty': 'bc3372665a0ed09f0bc9475323a885fc725f61d6ae162c4f51f73ddba96a67c4',
  'cc-2.0.37-stream-json.json#2/betas': 'a42843bf5735ee2402324ea792db0f7126bce9fe8dcfdf97baba86b31986ccd0',
  'cc-2.0.37-thinking.json#0/compact': 'fdaa70c1032230192af9794997a95d5fbe1e2dffbe8838db4a131ec1225fc261',
  'cc-2.0.37-thinking.json#0/pretty': 'bac6893b5b243c65dd0200757abe6f4fe43819aad95572bddda6008047c0ee35',
  'cc-2.0.37-thinking.json#0/betas': 'bb494ef682be63193ccc7a7bf1799973d83c79f21a620b0848b06c9c44c4871a',
  'cc-2.0.37-thinking.json#1/compact': '5e6fce8dc3dee098c56e1c4396ceea2e733c4bba25a9079503b0530c0f28821e',
  'cc-2.0.37-thinking.json#1/pretty': '3ae53b33213c1a768ba5e4492f810075aa5f2af70aaf61f99da746fff75f5beb',
  'cc-2.0.37-thinking.json#1/betas': 'c149817870a64f925ad5a705a44163a91a6d4cdb3eeee51899cf8b709aeb8edc',
  'cc-2.0.37-thinking.json#2/compact': 'af7994177ece73a0212e987e206064cd46e03f250fdeb2e8468da39bcaad87b3',
  'cc-2.0.37-thinking.json#2/pretty': '129163801d0a7e64be4146fdfc860508527524643f2e1a4fae1edc96e2255696',
  'cc-2.0.37-thinking.json#2/betas': '16096e215bc57c357e0b4ea623ee1d00d07e794809abf1b3abe3ca5f05719579',
  'cc-2.0.37-tool-roundtrip.full.json#0/compact': 'f6832d23981fc4fc30995dde3db936a26c4d72561ff1369f424adc35a756bd93',
  'cc-2.0.37-tool-roundtrip.full.json#0/pretty': 'cb451043266d40926e7072c3aa203a836f9d324c90a3dfe86e03da7b2bc59cae',
  'cc-2.0.37-tool-roundtrip.full.json#0/betas': '8f1f5983bb060c50497baf6eceb43184f5e4189122f8c4bd406215e86c27b7a3',
  'cc-2.0.37-tool-roundtrip.full.json#1/compact': '19b0a54345fbf6b522ec7700a88998e87def3a7b9bd2014f98c679c9b3887203',
  'cc-2.0.37-tool-roundtrip.full.json#1/pretty': '9cda6dbf8c25b446afad3a0bb3d1056e2b697a069a5560f9b5eca1063fb9eb73',
  'cc-2.0.37-tool-roundtrip.full.json#1/betas': '65f94bb53e8f4ef4fad84ace61b2ba0bc7904c687e1ebb3f7da57bd70171adf8',
  'cc-2.0.37-tool-roundtrip.full.json#2/compact': 'c2a1921ebd3122262b4ccfc2ef242f579660492fc4595629eafb63d45e52f584',
  'cc-2.0.37-tool-roundtrip.full.json#2/pretty': 'a1e00777ab4e808146b8f3d76aaec3bd801b3063ea90c42850a5db0dbc87c881',
  'cc-2.0.37-tool-roundtrip.full.json#2/betas': '03bdfe5cda554ac87248e24dffda22297b30e05ebf54576a04a56aaf6224c279',
  'cc-2.0.37-tool-roundtrip.full.json#3/compact': 'e6b68c754f89d473f971209cfb9b4cf87f7516a49847d488dd36f758f0308648',
  'cc-2.0.37-tool-roundtrip.full.json#3/pretty': '1363536c4a9d9122cf3e87c3c783da6af337810f34f3834fb883cd40c52dbdbd',
  'cc-2.0.37-tool-roundtrip.full.json#3/betas': 'c11afc949fb2a12c68ac20450309d67bf3009ab309ee7d873a1b62f1db67a7d2',
  'cc-2.0.37-tool-roundtrip.full.json#4/compact': '80962f5cdc0c4ca42e5c196b3fddc3b68d06272c1b0f9f0c55fee8802a2299cd',
  'cc-2.0.37-tool-roundtrip.full.json#4/pretty': '11c9ae54822264581a9ae69e54196182d21e3ce8cf6ac2a65e3176e1303a8ab4',
  'cc-2.0.37-tool-roundtrip.full.json#4/betas': '24a84609c6f210fa15d86cff5216d6b6f8a22fab860159b6510f97ce927c834a',
  'cc-2.1.330-auth-token.json#0/compact': '789a642ff54d51e3b2aad6bb9ec6030e5ab4b22b7e2b76cd697a609384a68821',
  'cc-2.1.330-auth-token.json#0/pretty': '8b2d749dfa89471b70001e316247c39beac51b77d9ccbfe75da0fa15beb204a0',
  'cc-2.1.330-auth-token.json#0/betas': '9628e3b5fda420cefbfe1139ed415f71b891e8dfca4d45e9e518a42d7ff191f7',
  'cc-2.1.330-interactive.json#0/compact': '8cf251ae8ff30576e2250ac3f62cbf46261ff2a254631b30850c032ada78d3bd',
  'cc-2.1.330-interactive.json#0/pretty': '74df3108699e4fc1c3f11d42d2999d014b939b929d0334a4ee6c4435db956c43',
  'cc-2.1.330-interactive.json#0/betas': '073e2191abcb9a1ef69b4b84b98d0d416937bd4208ea7537c6af54715c18d34f',
  'cc-2.1.330-print-json.full.json#0/compact': '7db6c892946c1f0f2271b234d9806d585ac44270829930e704916185a7c63111',
  'cc-2.1.330-print-json.full.json#0/pretty': '44f4942403f10aa33adcfd723cd0699d43155da2345e11293c1836064806d8fa',
  'cc-2.1.330-print-json.full.json#0/betas': '598fbaf1d1eedf76a871bb9f899862d455971a19e293e7941961fae2d41848ed',
  'cc-2.1.330-stream-json.json#0/compact': '34d90cdb7b12350314d00ef59252a5299afa9e1f32ca6f5151d86d642b35f794',
  'cc-2.1.330-stream-json.json#0/pretty': '0b5ddf095a66fcf462eb740619ba2747c1155015fd9b34abba3b537b1ca6c669',
  'cc-2.1.330-stream-json.json#0/betas': 'b381e19b7f6eb0ae569dcbfcd3bed22d1451ea625231b1bd72d7c75a19855d95',
};

const MUTATION_GOLDEN: Record<string, { digest: string; errors: number; bodies: number }> = {
  delete: { digest: '32baae11461550accee6ff3225eb6e9af835cec36ba755bdbf910905f7c6f5c6', errors: 314, bodies: 483 },
  quote: { digest: 'bc29f23466921faf8227601cf028828dc6140955646fa3c4858587f8af4837e3', errors: 661, bodies: 136 },
  backslash: { digest: 'bc708a173446d783ad7336a8ec2e6939765c8ca7aa24e51645d1de0e9a314144', errors: 679, bodies: 118 },
  insertBrace: { digest: 'ffc323bf097c7c19db2f41fd5e69f88fc1c93903633f997fabf7846032710222', errors: 274, bodies: 523 },
  insertBracket: { digest: 'af63927249f667302fbaaee919fe3971c4c5e3cda681d128e289178b3ca6559c', errors: 274, bodies: 523 },
  truncate: { digest: '0a5d3d469da8acef49101f9e7d502f6dfeb853f5e1a98265ed8d33ad4cf3fd52', errors: 796, bodies: 1 },
};

describe('Bedrock body golden: byte-identical to the pre-optimisation output', () => {
  const cases = captureCases();
  it('covers every capture request', () => {
    expect(cases.length).toBeGreaterThan(100);
    expect(cases.map(([name]) => name).sort()).toEqual(Object.keys(CAPTURE_GOLDEN).sort());
  });
  it.each(cases)('%s', (name, run) => expect(run()).toBe(CAPTURE_GOLDEN[name]));

  it('the tricky body converts (and strips what the policy drops)', () => {
    const out = toBedrockBody({ body: parseForBedrock(TRICKY), model: HAIKU, headerBetas: headerBetas(TRICKY_HEADERS) });
    const body = JSON.parse(Buffer.concat(out.body).toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['max_tokens', 'messages', 'system', 'tools', 'thinking', 'metadata', 'temperature', 'anthropic_beta', 'anthropic_version']);
    expect(out.betas).toEqual(['token-efficient-tools-2025-02-19']);
  });
  it('searches a member again when its text is not the one the scan indexed', () => {
    const body = parseForBedrock(Buffer.from('{"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"t"}]}'));
    expect(body.quoted?.found.get('tools')?.words.size).toBe(0);
    const members = new Map(body.members).set('tools', '[{"name":"t","eager_input_streaming":true}]');
    const out = toBedrockBody({ body: { ...body, members }, model: HAIKU, headerBetas: [] });
    expect(JSON.parse(Buffer.concat(out.body).toString('utf8')).tools).toEqual([{ name: 't' }]);
  });
  it.each(Object.keys(MUTATIONS))('every single-byte %s of the tricky body: same bytes or same error', (kind) => {
    expect(mutationDigest(kind)).toEqual(MUTATION_GOLDEN[kind]);
  });
});
