// Drives @kafkajs/confluent-schema-registry (a client nobody in this project wrote) against our
// registry server for RegistryInteropTest. One command per run:
//   node interop.mjs '<json>'   with json = {"op": ..., "url": ..., "auth"?: {"username","password"}, ...}
// and prints one JSON line: the result, or {"error": message, "status": httpStatus}.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

const job = JSON.parse(process.argv[2]);
const registry = new SchemaRegistry({
  host: job.url,
  auth: job.auth,
  retry: { retries: 0 },
});

async function run() {
  switch (job.op) {
    case 'register': {
      const { id } = await registry.register({ type: SchemaType.AVRO, schema: job.schema }, { subject: job.subject });
      return { id };
    }
    case 'read': {
      const latestId = await registry.getLatestSchemaId(job.subject);
      const idBySchema = await registry.getRegistryIdBySchema(job.subject, { type: SchemaType.AVRO, schema: job.schema });
      const versionOneId = await registry.getRegistryId(job.subject, 1);
      const type = await registry.getSchema(latestId);
      return { latestId, idBySchema, versionOneId, name: type.name, fields: type.fields.map((f) => f.name) };
    }
    case 'encode': {
      const bytes = await registry.encode(job.id, job.payload);
      return { hex: bytes.toString('hex') };
    }
    case 'decode': {
      const value = await registry.decode(Buffer.from(job.hex, 'hex'));
      return { value };
    }
    default:
      throw new Error('unknown op ' + job.op);
  }
}

run().then(
  (out) => console.log(JSON.stringify(out)),
  (err) => {
    console.log(JSON.stringify({ error: String(err && err.message ? err.message : err), status: err && err.status }));
    process.exitCode = 0;
  },
);
