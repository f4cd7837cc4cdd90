import type { AppModule } from '../module.js';
import { interestsRoutes } from './interests.routes.js';
import type { InterestsService } from './interests.service.js';

export { type InterestProfiles, interestProfiles, pinInterests } from './interest-profiles.js';
export { InterestsService } from './interests.service.js';
export { INTERESTS } from './taxonomy.js';

/** The interest taxonomy and the interests a person follows: /v5/users/{username}/interests/follow. */
export function interestsModule(interests: InterestsService): AppModule {
  return { name: 'interests', routes: (app) => interestsRoutes(app, interests) };
}
