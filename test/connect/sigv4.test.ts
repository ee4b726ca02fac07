// SigV4 against AWS's published examples (same secret, date and request as the docs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signV4, amzDate } from '../../src/connect/sigv4.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const DATE = new Date(Date.UTC(2015, 7, 30, 12, 36, 0));

test('amzDate is the basic ISO 8601 form', () => {
  assert.is(amzDate(DATE), '20150830T123600Z');
});

test('get-vanilla from the SigV4 test suite', () => {
  const h = signV4({ method: 'GET', url: 'https://example.amazonaws.com/', headers: {}, body: '', region: 'us-east-1', service: 'service', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, date: DATE });
  assert.is(h.authorization, 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  assert.is(h.host, 'example.amazonaws.com');
  assert.is(h['x-amz-date'], '20150830T123600Z');
});

test('IAM ListUsers from the SigV4 documentation (query string and content-type signed)', () => {
  const h = signV4({
    method: 'GET', url: 'https://iam.amazonaws.com/?Version=2010-05-08&Action=ListUsers', body: '', region: 'us-east-1', service: 'iam',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' }, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, date: DATE,
  });
  assert.is(h.authorization, 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
});

test('a session token is sent and signed', () => {
  const h = signV4({ method: 'POST', url: 'https://sts.eu-west-3.amazonaws.com/', headers: {}, body: 'x', region: 'eu-west-3', service: 'sts', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: 'tok', date: DATE });
  assert.is(h['x-amz-security-token'], 'tok');
  assert.match(h.authorization!, /SignedHeaders=host;x-amz-date;x-amz-security-token, /);
});

test.run();
