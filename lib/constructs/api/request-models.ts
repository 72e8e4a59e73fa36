import { type IModel, JsonSchemaType, JsonSchemaVersion, type RestApi } from 'aws-cdk-lib/aws-apigateway';

/**
 * A deliberately light gate for POST /performance/tests: a JSON object. It turns away what is not
 * even an object before a Lambda runs; everything else reaches the handler, which validates fully
 * and returns every problem at once with its path, which a JSON-schema error from API Gateway cannot.
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
    },
  });
}
