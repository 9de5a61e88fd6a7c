@allsafe @ALS-ERR
Feature: ALS-ERR - Every documented refusal surfaces as its own clear, typed error
  As an integrator, when AllSafe refuses a call I get a typed error that says what the documented
  cause is and what to do about it, nothing is allocated, and nothing is retried that cannot succeed.

  @critical
  Scenario: Wrong credentials are refused as an authentication failure
    Given the voucher stock of the campaign is noted
    When the integrator tries to allocate a voucher with a wrong password
    Then the refusal is an authentication failure naming its documented causes and the action to take
    And the refusal was not retried
    And the voucher stock of the campaign is unchanged

  @critical
  Scenario: Wrong credentials are refused the campaign's availability as an authentication failure
    When the integrator checks availability with a wrong password
    Then the refusal is an authentication failure naming its documented causes and the action to take
    And the refusal was not retried

  @critical @sandbox_only
  Scenario Outline: An integration that may not allocate is refused as an authentication failure (<who>)
    Given the voucher stock of the campaign is noted
    When <who> tries to allocate a voucher
    Then the refusal is an authentication failure naming its documented causes and the action to take
    And the refusal was not retried
    And the voucher stock of the campaign is unchanged

    Examples:
      | who                                        |
      | a revoked integration                      |
      | the integration of a campaign past its end |

  @critical
  Scenario: A vendor unknown to AllSafe is refused as an invalid vendor
    Given a voucher type with vouchers left
    And the voucher stock of the campaign is noted
    When the integrator tries to allocate a voucher of an unknown vendor at that value
    Then the refusal is an invalid vendor error naming its documented cause and the action to take
    And the refusal was not retried
    And the voucher stock of the campaign is unchanged

  @critical
  Scenario: A value the vendor does not offer is refused as no vouchers
    Given a voucher type with vouchers left
    And the voucher stock of the campaign is noted
    When the integrator tries to allocate a voucher of that vendor at a value it does not offer
    Then the refusal is a no vouchers error naming its documented cause and the action to take
    And the refusal was not retried
    And the voucher stock of the campaign is unchanged

  @critical @sandbox_only
  Scenario: A voucher type whose vouchers have all been handed out is refused as no vouchers
    Given a voucher type of the campaign whose vouchers have all been handed out
    And the voucher stock of the campaign is noted
    When the integrator tries to allocate a voucher of that type
    Then the refusal is a no vouchers error naming its documented cause and the action to take
    And the refusal was not retried
    And the voucher stock of the campaign is unchanged

  @critical
  Scenario Outline: A malformed allocation request is refused as failing validation (<problem>)
    Given a voucher type with vouchers left
    And the voucher stock of the campaign is noted
    When the integrator sends an allocation request with <problem>
    Then the refusal is a validation error naming its documented cause and the action to take
    And the refusal was not retried
    And the voucher stock of the campaign is unchanged

    Examples:
      | problem                      |
      | no vendor                    |
      | an empty vendor              |
      | no value                     |
      | a value of zero              |
      | a negative value             |
      | a value that is not a number |
      | a body that is not JSON      |

  @critical
  Scenario: A campaign without a vault is refused as such
    Given the credentials of an integration whose campaign has no vault linked
    When that integration checks availability
    Then the refusal is a no vault linked error naming its documented cause and the action to take
    When that integration tries to allocate a voucher
    Then the refusal is a no vault linked error naming its documented cause and the action to take
    And the refusal was not retried
