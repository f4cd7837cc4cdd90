/**
 * Corkboard's interest taxonomy: the broad topics people follow, each with the words that place content
 * in it (matched after English stemming, as full-text search matches). Ids are fixed: clients may keep them.
 */
export interface InterestDef {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly words: readonly string[];
}

const DEFS: readonly [string, string, string][] = [
  [
    'food and drinks',
    'Food and drinks',
    'food recipe dinner lunch breakfast baking cake dessert cookie pasta salad soup curry meal vegan drink cocktail coffee tea bread',
  ],
  [
    'home decor',
    'Home decor',
    'home decor interior living room bedroom kitchen bathroom furniture sofa rug lamp shelf wall cozy',
  ],
  ['gardening', 'Gardening', 'garden gardening plant flower succulent herb vegetable backyard balcony seed'],
  [
    'diy and crafts',
    'DIY and crafts',
    'diy craft knitting crochet sewing handmade paper woodworking project quilt embroidery',
  ],
  [
    'travel',
    'Travel',
    'travel trip vacation beach island city hotel destination road mountain hiking camping adventure',
  ],
  ['womens fashion', "Women's fashion", 'fashion outfit dress style shoe jewelry bag wardrobe skirt boots'],
  ['mens fashion', "Men's fashion", 'menswear suit beard sneaker watch jacket'],
  ['beauty', 'Beauty', 'beauty makeup skincare hair hairstyle nail lipstick'],
  [
    'health and fitness',
    'Health and fitness',
    'fitness workout yoga running gym health exercise wellness stretch',
  ],
  ['art', 'Art', 'art painting drawing illustration watercolor sketch sculpture canvas'],
  ['photography', 'Photography', 'photography photo camera portrait landscape film'],
  ['weddings', 'Weddings', 'wedding bride bridal ceremony bouquet engagement'],
  ['kids and parenting', 'Kids and parenting', 'kid baby parenting nursery toddler children family'],
  ['animals', 'Animals', 'pet dog cat puppy kitten animal bird horse'],
  ['design', 'Design', 'design typography logo graphic poster branding pattern'],
  ['architecture', 'Architecture', 'architecture building house cabin modern facade'],
  ['quotes', 'Quotes', 'quote inspiration motivation saying'],
  ['technology', 'Technology', 'technology tech gadget computer phone desk setup code'],
  ['vehicles', 'Cars and motorcycles', 'car motorcycle bike vintage truck'],
  ['entertainment', 'Entertainment', 'movie film music book reading game series'],
  [
    'holidays and events',
    'Holidays and events',
    'christmas halloween party birthday holiday thanksgiving easter celebration',
  ],
  ['education', 'Education', 'learning school teacher classroom education study'],
  ['sports', 'Sports', 'sport football soccer basketball tennis surfing skiing climbing'],
  ['science and nature', 'Science and nature', 'science nature space forest ocean lighthouse sea weather'],
];

export const INTERESTS: readonly InterestDef[] = DEFS.map(([key, name, words], i) => ({
  id: String(903_000_000_001 + i),
  key,
  name,
  words: words.split(' '),
}));
