import { type IModel, JsonSchemaType, JsonSchemaVersion, type RestApi } from 'aws-cdk-lib/aws-apigateway';

/**
 * A deliberately light gate for POST /performance/tests: an object carrying `scenarios` or a
 * `preset`. It turns away malformed calls before a Lambda runs; the handler does the full
 * validation and returns every problem at once, which a JSON-schema error from API Gateway cannot.
 */
export function createTestRequestModel(api: RestApi): IModel {
  return api.addModel('CreateTestRequest', {
    contentType: 'application/json',
    modelName: 'CreateTestRequest',
    description: 'A load-test definition (named scenarios) or a preset name, with optional overrides',
    schema: {
      schema: JsonSchemaVersion.DRAFT4,
      title: 'CreateTestRequest',
      type: JsonSchemaType.OBJECT,
      properties: {
        scenarios: { type: JsonSchemaType.OBJECT, minProperties: 1 },
        preset: { type: JsonSchemaType.STRING, minLength: 1 },
      },
      anyOf: [{ required: ['scenarios'] }, { required: ['preset'] }],
    },
  });
}
